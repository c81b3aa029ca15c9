import type { EntityManager } from '@mikro-orm/core';
import { ModelVersion } from '../model-version/model-version.entity';
import { Model } from './model.entity';

/** The model aggregate's queries: models and their numbered versions. Stateless: the caller's `em` is the unit of work. */
export class ModelRepository {
  /** The organization's models, by name. */
  inOrganization(em: EntityManager, organizationId: string): Promise<Model[]> {
    return em.find(Model, { organizationId }, { orderBy: { name: 'asc' } });
  }

  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<Model | null> {
    return em.findOne(Model, { id, organizationId });
  }

  findByName(em: EntityManager, organizationId: string, name: string): Promise<Model | null> {
    return em.findOne(Model, { organizationId, name });
  }

  /** The model as the database has it now (another registration may have moved its version counter). */
  reload(em: EntityManager, id: string): Promise<Model> {
    return em.findOneOrFail(Model, { id }, { refresh: true });
  }

  findById(em: EntityManager, id: string): Promise<Model> {
    return em.findOneOrFail(Model, { id });
  }

  findVersionInOrganization(em: EntityManager, organizationId: string, id: string): Promise<ModelVersion | null> {
    return em.findOne(ModelVersion, { id, organizationId });
  }

  findVersion(em: EntityManager, id: string): Promise<ModelVersion | null> {
    return em.findOne(ModelVersion, { id });
  }

  getVersion(em: EntityManager, id: string): Promise<ModelVersion> {
    return em.findOneOrFail(ModelVersion, { id });
  }

  /** Whether any version holds the stored bytes `sha256`. */
  async artifactInUse(em: EntityManager, sha256: string): Promise<boolean> {
    return (await em.findOne(ModelVersion, { sha256 })) !== null;
  }

  /** Versions of a model, newest first. */
  versionsOf(em: EntityManager, modelId: string): Promise<ModelVersion[]> {
    return em.find(ModelVersion, { modelId }, { orderBy: { version: 'desc' } });
  }

  versionNumbered(em: EntityManager, modelId: string, version: number): Promise<ModelVersion | null> {
    return em.findOne(ModelVersion, { modelId, version });
  }
}
