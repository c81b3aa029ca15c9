import type { EntityManager } from '@mikro-orm/core';
import type { Viewer } from '../../../../lib/src/index';
import { BadUserInputError, NotFoundError } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { Model } from '../model/model.entity';
import type { ModelRepository } from '../model/model.repository';
import type { ModelVersion } from '../model-version/model-version.entity';
import { ModelAlias, ModelAliasEvent } from './model-alias.entity';
import type { ModelAliasRepository } from './model-alias.repository';

const ALIAS_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Who moves an alias: a user (with models:promote) or a pipeline acting for one. */
export interface AliasActor {
  id: string;
  kind: string;
  organizationId: string;
}

/** What moves an alias. */
export interface SetAliasInput {
  modelId: string;
  alias: string;
  versionId: string;
  reason?: string | null;
  pipelineRunId?: string | null;
}

const actorOf = (viewer: Viewer): AliasActor => ({
  id: viewer.id,
  kind: viewer.kind,
  organizationId: viewer.organizationId,
});

/** Aliases per model and their append-only audit history. */
export class ModelAliasService {
  constructor(
    private readonly aliases: ModelAliasRepository,
    private readonly models: ModelRepository,
    private readonly clock: Clock,
  ) {}

  /** The viewer points an alias at a version (see `setAs`). */
  setAlias(scope: RequestScope, input: SetAliasInput): Promise<ModelAlias> {
    return this.setAs(scope.em, actorOf(scope.viewer), input);
  }

  /**
   * Points `alias` of the model at a version of the same model and appends an audit event (also
   * when the alias already pointed there, so every decision is on record).
   */
  async setAs(em: EntityManager, actor: AliasActor, input: SetAliasInput): Promise<ModelAlias> {
    if (!ALIAS_NAME.test(input.alias))
      throw new BadUserInputError('Invalid alias', [
        { field: 'alias', message: 'a letter, then letters, digits, "_" or "-", up to 64 characters' },
      ]);
    if (/^(latest|\d+)$/.test(input.alias))
      throw new BadUserInputError('Invalid alias', [{ field: 'alias', message: 'reserved name' }]);
    const model = await this.models.findInOrganization(em, actor.organizationId, input.modelId);
    if (!model) throw new NotFoundError('Model', input.modelId);
    const version = await this.models.findVersionInOrganization(em, actor.organizationId, input.versionId);
    if (!version || version.modelId !== model.id)
      throw new BadUserInputError('The version does not belong to this model', [
        { field: 'versionId', message: 'must be a version of the model' },
      ]);
    const existing = await this.aliases.findByName(em, model.id, input.alias);
    em.create(ModelAliasEvent, {
      organizationId: actor.organizationId,
      modelId: model.id,
      sequence: await this.aliases.nextSequence(em, model.id),
      alias: input.alias,
      fromVersionId: existing?.versionId ?? null,
      fromVersion: existing?.version ?? null,
      toVersionId: version.id,
      toVersion: version.version,
      actorId: actor.id,
      actorKind: actor.kind,
      reason: input.reason ?? null,
      pipelineRunId: input.pipelineRunId ?? null,
    });
    let alias = existing;
    if (alias) {
      alias.versionId = version.id;
      alias.version = version.version;
      alias.updatedById = actor.id;
      alias.updatedAt = this.clock();
    } else {
      alias = em.create(ModelAlias, {
        organizationId: actor.organizationId,
        modelId: model.id,
        name: input.alias,
        versionId: version.id,
        version: version.version,
        updatedById: actor.id,
      });
    }
    await em.flush();
    return alias;
  }

  /** Removes an alias, recording the removal. @returns false when it did not exist */
  async deleteAlias(scope: RequestScope, modelId: string, aliasName: string, reason?: string | null): Promise<boolean> {
    const { em } = scope;
    const actor = actorOf(scope.viewer);
    const alias = await this.aliases.findInOrganization(em, actor.organizationId, modelId, aliasName);
    if (!alias) return false;
    const sequence = await this.aliases.nextSequence(em, modelId);
    em.create(ModelAliasEvent, {
      organizationId: actor.organizationId,
      modelId,
      sequence,
      alias: aliasName,
      fromVersionId: alias.versionId,
      fromVersion: alias.version,
      toVersionId: null,
      toVersion: null,
      actorId: actor.id,
      actorKind: actor.kind,
      reason: reason ?? null,
    });
    em.remove(alias);
    await em.flush();
    return true;
  }

  /** The id of the version `alias` of the model points at, or null. */
  async versionIdOf(em: EntityManager, modelId: string, alias: string): Promise<string | null> {
    return (await this.aliases.findByName(em, modelId, alias))?.versionId ?? null;
  }

  /** `Model.aliases`, by name. */
  aliasesOf(scope: RequestScope, model: Model): Promise<ModelAlias[]> {
    return this.aliases.aliasesOf(scope.em, model.id);
  }

  /** `Model.aliasHistory`: the audit history, oldest first. */
  history(scope: RequestScope, model: Model, alias?: string | null): Promise<ModelAliasEvent[]> {
    return this.aliases.history(scope.em, model.id, alias);
  }

  /** `ModelAlias.modelVersion`. */
  targetOf(scope: RequestScope, alias: ModelAlias): Promise<ModelVersion> {
    return this.models.getVersion(scope.em, alias.versionId);
  }

  /** `ModelVersion.aliases`: names of the aliases pointing at the version. */
  async namesFor(scope: RequestScope, version: ModelVersion): Promise<string[]> {
    return (await this.aliases.pointingAt(scope.em, version.id)).map((a) => a.name);
  }
}
