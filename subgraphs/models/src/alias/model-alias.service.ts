import type { EntityManager } from '@mikro-orm/core';
import type { Viewer } from '../../../../lib/src/index';
import { BadUserInputError, NotFoundError } from '../../../../lib/src/index';
import { Model } from '../model/model.entity';
import { ModelVersion } from '../model-version/model-version.entity';
import { ModelAlias, ModelAliasEvent } from './model-alias.entity';

const ALIAS_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Who moves an alias: a user (with models:promote) or a pipeline acting for one. */
export interface AliasActor {
  id: string;
  kind: string;
  organizationId: string;
}

/** Actor of a viewer. */
export function actorOf(viewer: Viewer): AliasActor {
  return { id: viewer.id, kind: viewer.kind, organizationId: viewer.organizationId };
}

/** Aliases per model and their append-only audit history. */
export class ModelAliasService {
  /**
   * Points `alias` of the model at a version of the same model and appends an audit event (also
   * when the alias already pointed there, so every decision is on record).
   */
  async setAlias(em: EntityManager, actor: AliasActor, input: { modelId: string; alias: string; versionId: string; reason?: string | null; pipelineRunId?: string | null }): Promise<ModelAlias> {
    if (!ALIAS_NAME.test(input.alias)) throw new BadUserInputError('Invalid alias', [{ field: 'alias', message: 'a letter, then letters, digits, "_" or "-", up to 64 characters' }]);
    if (/^(latest|\d+)$/.test(input.alias)) throw new BadUserInputError('Invalid alias', [{ field: 'alias', message: 'reserved name' }]);
    const model = await em.findOne(Model, { id: input.modelId, organizationId: actor.organizationId });
    if (!model) throw new NotFoundError('Model', input.modelId);
    const version = await em.findOne(ModelVersion, { id: input.versionId, organizationId: actor.organizationId });
    if (!version || version.modelId !== model.id) throw new BadUserInputError('The version does not belong to this model', [{ field: 'versionId', message: 'must be a version of the model' }]);
    const existing = await em.findOne(ModelAlias, { modelId: model.id, name: input.alias });
    em.create(ModelAliasEvent, {
      organizationId: actor.organizationId,
      modelId: model.id,
      sequence: (await em.count(ModelAliasEvent, { modelId: model.id })) + 1,
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
      alias.updatedAt = new Date();
    } else {
      alias = em.create(ModelAlias, { organizationId: actor.organizationId, modelId: model.id, name: input.alias, versionId: version.id, version: version.version, updatedById: actor.id });
    }
    await em.flush();
    return alias;
  }

  /** Removes an alias, recording the removal. @returns false when it did not exist */
  async deleteAlias(em: EntityManager, actor: AliasActor, modelId: string, aliasName: string, reason?: string | null): Promise<boolean> {
    const alias = await em.findOne(ModelAlias, { modelId, name: aliasName, organizationId: actor.organizationId });
    if (!alias) return false;
    const sequence = (await em.count(ModelAliasEvent, { modelId })) + 1;
    em.create(ModelAliasEvent, { organizationId: actor.organizationId, modelId, sequence, alias: aliasName, fromVersionId: alias.versionId, fromVersion: alias.version, toVersionId: null, toVersion: null, actorId: actor.id, actorKind: actor.kind, reason: reason ?? null });
    em.remove(alias);
    await em.flush();
    return true;
  }

  async versionIdOf(em: EntityManager, modelId: string, alias: string): Promise<string | null> {
    return (await em.findOne(ModelAlias, { modelId, name: alias }))?.versionId ?? null;
  }

  async aliasesOf(em: EntityManager, modelId: string): Promise<ModelAlias[]> {
    return em.find(ModelAlias, { modelId }, { orderBy: { name: 'asc' } });
  }

  /** The audit history, oldest first. */
  async history(em: EntityManager, modelId: string, alias?: string | null): Promise<ModelAliasEvent[]> {
    return em.find(ModelAliasEvent, alias ? { modelId, alias } : { modelId }, { orderBy: { sequence: 'asc' } });
  }
}
