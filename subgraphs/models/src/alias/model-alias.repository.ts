import type { EntityManager } from '@mikro-orm/core';
import { ModelAlias, ModelAliasEvent } from './model-alias.entity';

/** The alias aggregate's queries: aliases per model and their append-only history. Stateless: the caller's `em` is the unit of work. */
export class ModelAliasRepository {
  findByName(em: EntityManager, modelId: string, name: string): Promise<ModelAlias | null> {
    return em.findOne(ModelAlias, { modelId, name });
  }

  findInOrganization(
    em: EntityManager,
    organizationId: string,
    modelId: string,
    name: string,
  ): Promise<ModelAlias | null> {
    return em.findOne(ModelAlias, { modelId, name, organizationId });
  }

  /** A model's aliases, by name. */
  aliasesOf(em: EntityManager, modelId: string): Promise<ModelAlias[]> {
    return em.find(ModelAlias, { modelId }, { orderBy: { name: 'asc' } });
  }

  /** The aliases pointing at a version, by name. */
  pointingAt(em: EntityManager, versionId: string): Promise<ModelAlias[]> {
    return em.find(ModelAlias, { versionId }, { orderBy: { name: 'asc' } });
  }

  /** The sequence number the model's next alias event takes. */
  async nextSequence(em: EntityManager, modelId: string): Promise<number> {
    return (await em.count(ModelAliasEvent, { modelId })) + 1;
  }

  /** The audit history, oldest first (one alias's when given). */
  history(em: EntityManager, modelId: string, alias?: string | null): Promise<ModelAliasEvent[]> {
    return em.find(ModelAliasEvent, alias ? { modelId, alias } : { modelId }, { orderBy: { sequence: 'asc' } });
  }
}
