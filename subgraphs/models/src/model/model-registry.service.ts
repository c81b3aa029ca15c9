import type { EntityManager } from '@mikro-orm/core';
import type { ArtifactStore } from '../../../../lib/src/index';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelAliasRepository } from '../alias/model-alias.repository';
import type { ModelVersionSource } from '../common/enums';
import { OnnxFormatError } from '../engine/onnx/onnx-signature.reader';
import { ModelVersion } from '../model-version/model-version.entity';
import { validateOnnxFile } from '../model-version/onnx-artifact.validator';
import { Model } from './model.entity';
import type { ModelRepository } from './model.repository';
import { checkModelName } from './model-name';

/** What a new version records besides its artifact. */
export interface VersionDetails {
  description?: string | null;
  tags?: string[];
  metrics?: Record<string, number>;
  parameters?: Record<string, unknown>;
  source: ModelVersionSource;
  trainingJobId?: string | null;
  studyId?: string | null;
  datasetId?: string | null;
  datasetVersion?: string | null;
}

/** The model registry: models, immutable numbered versions, artifacts checked by onnxruntime. */
export class ModelRegistry {
  constructor(
    private readonly models: ModelRepository,
    private readonly aliases: ModelAliasRepository,
    private readonly store: ArtifactStore,
  ) {}

  /** The organization's models by name, those with `tag` when given. */
  async list(scope: RequestScope, tag: string | null): Promise<Model[]> {
    const models = await this.models.inOrganization(scope.em, scope.viewer.organizationId);
    return tag ? models.filter((m) => m.tags.includes(tag)) : models;
  }

  async getModel(scope: RequestScope, id: string): Promise<Model> {
    const model = await this.models.findInOrganization(scope.em, scope.viewer.organizationId, id);
    if (!model) throw new NotFoundError('Model', id);
    return model;
  }

  /** The viewer's model (reference resolution): null when it is another organization's or missing. */
  visibleModel(scope: RequestScope, id: string): Promise<Model | null> {
    return this.models.findInOrganization(scope.em, scope.viewer.organizationId, id);
  }

  byName(scope: RequestScope, name: string): Promise<Model | null> {
    return this.models.findByName(scope.em, scope.viewer.organizationId, name);
  }

  async createModel(
    scope: RequestScope,
    input: { name: string; description?: string | null; tags?: string[] | null },
  ): Promise<Model> {
    const { em, viewer } = scope;
    checkModelName(input.name);
    if (await this.models.findByName(em, viewer.organizationId, input.name))
      throw new ConflictError(`A model named ${input.name} already exists`);
    const model = em.create(Model, {
      organizationId: viewer.organizationId,
      name: input.name,
      description: input.description ?? null,
      tags: input.tags ?? [],
      createdById: viewer.id,
    });
    await em.flush();
    return model;
  }

  async updateModel(
    scope: RequestScope,
    input: { id: string; description?: string | null; tags?: string[] | null },
  ): Promise<Model> {
    const model = await this.getModel(scope, input.id);
    if (input.description !== undefined) model.description = input.description;
    if (input.tags) model.tags = input.tags;
    await scope.em.flush();
    return model;
  }

  /** The organization's model by name, created when missing (training registers into a name). */
  async ensureModel(em: EntityManager, organizationId: string, userId: string, name: string): Promise<Model> {
    checkModelName(name, 'modelName');
    const existing = await this.models.findByName(em, organizationId, name);
    if (existing) return existing;
    const model = em.create(Model, { organizationId, name, createdById: userId });
    await em.flush();
    return model;
  }

  async getVersion(scope: RequestScope, id: string): Promise<ModelVersion> {
    const version = await this.models.findVersionInOrganization(scope.em, scope.viewer.organizationId, id);
    if (!version) throw new NotFoundError('ModelVersion', id);
    return version;
  }

  /** The viewer's version (reference resolution): null when it is another organization's or missing. */
  visibleVersion(scope: RequestScope, id: string): Promise<ModelVersion | null> {
    return this.models.findVersionInOrganization(scope.em, scope.viewer.organizationId, id);
  }

  /** A version of the caller's organization (internal routes), or null. */
  versionInOrganization(em: EntityManager, organizationId: string, id: string): Promise<ModelVersion | null> {
    return this.models.findVersionInOrganization(em, organizationId, id);
  }

  /** `Model.versions`: newest first. */
  versionsOf(scope: RequestScope, model: Model): Promise<ModelVersion[]> {
    return this.models.versionsOf(scope.em, model.id);
  }

  /** `Model.version(version)`. */
  versionOf(scope: RequestScope, model: Model, version: number): Promise<ModelVersion | null> {
    return this.models.versionNumbered(scope.em, model.id, version);
  }

  /** `Model.latestVersion`. */
  latestVersionOf(scope: RequestScope, model: Model): Promise<ModelVersion | null> {
    return this.models.versionNumbered(scope.em, model.id, model.latestVersionNumber);
  }

  /** `ModelVersion.model`. */
  modelOf(scope: RequestScope, version: ModelVersion): Promise<Model> {
    return this.models.findById(scope.em, version.modelId);
  }

  /** A version by id, in any organization (fields of a row the viewer already reads), or null. */
  versionById(scope: RequestScope, id: string | null | undefined): Promise<ModelVersion | null> | null {
    return id ? this.models.findVersion(scope.em, id) : null;
  }

  /**
   * Registers stored bytes as the model's next version after onnxruntime has loaded them. A file
   * onnxruntime refuses is deleted from the store (unless a version already holds the same bytes)
   * and reported as BAD_USER_INPUT on `field`.
   */
  async registerStoredArtifact(
    em: EntityManager,
    model: Model,
    userId: string,
    artifact: { sha256: string; size: number },
    details: VersionDetails,
    field = 'uploadId',
  ): Promise<ModelVersion> {
    let signature;
    try {
      signature = await validateOnnxFile(this.store.pathOf(artifact.sha256));
    } catch (error) {
      if (!(error instanceof OnnxFormatError)) throw error;
      if (!(await this.models.artifactInUse(em, artifact.sha256))) await this.store.delete(artifact.sha256);
      throw new BadUserInputError('The file is not a model onnxruntime can load', [{ field, message: error.message }]);
    }
    for (let attempt = 0; ; attempt++) {
      const fresh = await this.models.reload(em, model.id);
      const number = fresh.latestVersionNumber + 1;
      const version = em.create(ModelVersion, {
        organizationId: model.organizationId,
        modelId: model.id,
        modelName: model.name,
        version: number,
        description: details.description ?? null,
        tags: details.tags ?? [],
        source: details.source,
        trainingJobId: details.trainingJobId ?? null,
        studyId: details.studyId ?? null,
        datasetId: details.datasetId ?? null,
        datasetVersion: details.datasetVersion ?? null,
        sha256: artifact.sha256,
        size: artifact.size,
        signatureJson: signature,
        metrics: details.metrics ?? {},
        parameters: details.parameters ?? {},
        createdById: userId,
      });
      fresh.latestVersionNumber = number;
      try {
        await em.flush();
        return version;
      } catch (error) {
        // Two registrations raced for the same number: take the next one.
        em.clear();
        if (attempt >= 3) throw error;
      }
    }
  }

  /** Stores bytes (a trained model) and registers them. */
  async registerBytes(
    em: EntityManager,
    model: Model,
    userId: string,
    bytes: Uint8Array,
    details: VersionDetails,
  ): Promise<ModelVersion> {
    const stored = await this.store.put(bytes);
    return this.registerStoredArtifact(em, model, userId, stored, details, 'artifact');
  }

  /**
   * Resolves `models:/<name>@<alias>`, `models:/<name>/<version>` or `models:/<name>/latest`.
   * @throws BAD_USER_INPUT for a malformed URI, NOT_FOUND when nothing matches
   */
  async resolveUri(scope: RequestScope, uri: string): Promise<ModelVersion> {
    const { em } = scope;
    const organizationId = scope.viewer.organizationId;
    const m = /^models:\/([^/@]+)(?:@([^/@]+)|\/(\d+|latest))$/.exec(uri.trim());
    if (!m)
      throw new BadUserInputError('Malformed model URI', [
        { field: 'uri', message: 'expected models:/<name>@<alias>, models:/<name>/<version> or models:/<name>/latest' },
      ]);
    const [, name = '', alias, versionPart] = m;
    const model = await this.models.findByName(em, organizationId, name);
    if (!model) throw new NotFoundError('Model', name);
    let version: ModelVersion | null;
    if (alias) {
      const id = (await this.aliases.findByName(em, model.id, alias))?.versionId ?? null;
      if (!id) throw new NotFoundError('ModelAlias', `${name}@${alias}`);
      version = await this.models.findVersionInOrganization(em, organizationId, id);
    } else {
      const number = versionPart === 'latest' ? model.latestVersionNumber : Number(versionPart);
      version = await this.models.versionNumbered(em, model.id, number);
    }
    if (!version) throw new NotFoundError('ModelVersion', uri);
    return version;
  }
}
