import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import type { ModelSignature } from '../runtime/model-signature';

/**
 * What the inference service learnt about a model version from the models service: enough to load
 * it again from the local artifact cache after a restart without asking models. `id` is the model
 * version's id; it and the organization column keep the types they had before the base entity.
 */
@Entity({ tableName: 'cached_model_versions' })
export class CachedModelVersion extends OrganizationEntity {
  @PrimaryKey({ type: 'string' })
  override id!: Opt<string>;

  @Property({ type: 'string', index: true })
  override organizationId!: string;

  /** When models was asked for it: the row is written again on each fetch (its `fetched_at` column, as before the base entity). */
  @Property({ type: 'datetime', fieldName: 'fetched_at' })
  override createdAt: Opt<Date> = new Date();

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
}
