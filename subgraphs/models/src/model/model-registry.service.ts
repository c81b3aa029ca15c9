import type { EntityManager } from '@mikro-orm/core';
import type { ArtifactStore, Viewer } from '../../../../lib/src/index';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../../lib/src/index';
import type { ModelVersionSource } from '../common/enums';
import { OnnxFormatError } from '../engine/onnx/onnx-signature.reader';
import { ModelVersion } from '../model-version/model-version.entity';
import { validateOnnxFile } from '../model-version/onnx-artifact.validator';
import { Model } from './model.entity';

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

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
  constructor(private readonly store: ArtifactStore) {}

  /** Validates a model name (letters, digits, `.`, `_`, `-`; no `/` or `@` so URIs stay unambiguous). */
  static checkName(name: string, field = 'name'): void {
    if (!MODEL_NAME.test(name)) throw new BadUserInputError('Invalid model name', [{ field, message: 'letters, digits, ".", "_" or "-", 1 to 128 characters, starting with a letter or digit' }]);
  }

  async createModel(em: EntityManager, viewer: Viewer, input: { name: string; description?: string | null; tags?: string[] | null }): Promise<Model> {
    ModelRegistry.checkName(input.name);
    if (await em.findOne(Model, { organizationId: viewer.organizationId, name: input.name })) throw new ConflictError(`A model named ${input.name} already exists`);
    const model = em.create(Model, { organizationId: viewer.organizationId, name: input.name, description: input.description ?? null, tags: input.tags ?? [], createdById: viewer.id });
    await em.flush();
    return model;
  }

  /** The organization's model by name, created when missing (training registers into a name). */
  async ensureModel(em: EntityManager, organizationId: string, userId: string, name: string): Promise<Model> {
    ModelRegistry.checkName(name, 'modelName');
    const existing = await em.findOne(Model, { organizationId, name });
    if (existing) return existing;
    const model = em.create(Model, { organizationId, name, createdById: userId });
    await em.flush();
    return model;
  }

  async getModel(em: EntityManager, organizationId: string, id: string): Promise<Model> {
    const model = await em.findOne(Model, { id, organizationId });
    if (!model) throw new NotFoundError('Model', id);
    return model;
  }

  async getVersion(em: EntityManager, organizationId: string, id: string): Promise<ModelVersion> {
    const version = await em.findOne(ModelVersion, { id, organizationId });
    if (!version) throw new NotFoundError('ModelVersion', id);
    return version;
  }

  /**
   * Registers stored bytes as the model's next version after onnxruntime has loaded them. A file
   * onnxruntime refuses is deleted from the store (unless a version already holds the same bytes)
   * and reported as BAD_USER_INPUT on `field`.
   */
  async registerStoredArtifact(em: EntityManager, model: Model, userId: string, artifact: { sha256: string; size: number }, details: VersionDetails, field = 'uploadId'): Promise<ModelVersion> {
    let signature;
    try {
      signature = await validateOnnxFile(this.store.pathOf(artifact.sha256));
    } catch (error) {
      if (!(error instanceof OnnxFormatError)) throw error;
      if (!(await em.findOne(ModelVersion, { sha256: artifact.sha256 }))) await this.store.delete(artifact.sha256);
      throw new BadUserInputError('The file is not a model onnxruntime can load', [{ field, message: error.message }]);
    }
    for (let attempt = 0; ; attempt++) {
      const fresh = await em.findOneOrFail(Model, { id: model.id }, { refresh: true });
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
  async registerBytes(em: EntityManager, model: Model, userId: string, bytes: Uint8Array, details: VersionDetails): Promise<ModelVersion> {
    const stored = await this.store.put(bytes);
    return this.registerStoredArtifact(em, model, userId, stored, details, 'artifact');
  }

  /**
   * Resolves `models:/<name>@<alias>`, `models:/<name>/<version>` or `models:/<name>/latest`.
   * @throws BAD_USER_INPUT for a malformed URI, NOT_FOUND when nothing matches
   */
  async resolveUri(em: EntityManager, organizationId: string, uri: string, aliasVersionId: (modelId: string, alias: string) => Promise<string | null>): Promise<ModelVersion> {
    const m = /^models:\/([^/@]+)(?:@([^/@]+)|\/(\d+|latest))$/.exec(uri.trim());
    if (!m) throw new BadUserInputError('Malformed model URI', [{ field: 'uri', message: 'expected models:/<name>@<alias>, models:/<name>/<version> or models:/<name>/latest' }]);
    const [, name, alias, versionPart] = m;
    const model = await em.findOne(Model, { organizationId, name });
    if (!model) throw new NotFoundError('Model', name);
    let version: ModelVersion | null;
    if (alias) {
      const id = await aliasVersionId(model.id, alias);
      if (!id) throw new NotFoundError('ModelAlias', `${name}@${alias}`);
      version = await em.findOne(ModelVersion, { id, organizationId });
    } else {
      const number = versionPart === 'latest' ? model.latestVersionNumber : Number(versionPart);
      version = await em.findOne(ModelVersion, { modelId: model.id, version: number });
    }
    if (!version) throw new NotFoundError('ModelVersion', uri);
    return version;
  }
}
