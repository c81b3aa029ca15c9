import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { ModelSignature } from '../runtime/model-signature';

/**
 * What the inference service learnt about a model version from the models service: enough to load
 * it again from the local artifact cache after a restart without asking models.
 */
@Entity({ tableName: 'cached_model_versions' })
export class CachedModelVersion {
  [OptionalProps]?: 'fetchedAt';

  @PrimaryKey({ type: 'string' })
  id!: string;

  @Property({ type: 'string', index: true })
  organizationId!: string;

  @Property({ type: 'string' })
  modelId!: string;

  @Property({ type: 'string' })
  modelName!: string;

  @Property({ type: 'string' })
  version!: string;

  @Property({ type: 'string' })
  sha256!: string;

  @Property({ type: 'integer' })
  size!: number;

  @Property({ type: 'string' })
  format!: string;

  /** The signature as models declared it (the served signature comes from the session itself). */
  @Property({ type: 'json', nullable: true })
  declaredSignature?: unknown;

  @Property({ type: 'json', nullable: true })
  servedSignature?: ModelSignature | null;

  @Property({ type: 'datetime' })
  fetchedAt: Date = new Date();
}
