import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { TrackedOrganizationEntity } from '../../../../lib/src/kit/base.entity';
import type { ExecutionProvider } from '../runtime/execution-provider';

/** A routed model version as stored. */
export interface StoredRoute {
  modelVersionId: string;
  weight: number;
}

/**
 * A serving endpoint: named, organization-scoped, routing traffic to model versions. Its key and
 * organization columns keep the types they had before the base entity (`varchar(255)`).
 */
@Entity({ tableName: 'endpoints' })
@Unique({ properties: ['organizationId', 'name'] })
@Directive('@key(fields: "id")')
@ObjectType()
export class Endpoint extends TrackedOrganizationEntity {
  [OptionalProps]?: 'description' | 'shadowModelVersionId' | 'warmupDims' | 'replicas';

  @PrimaryKey({ type: 'string' })
  @Field(() => ID)
  override id: Opt<string> = randomUUID();

  @Property({ type: 'string', index: true })
  override organizationId!: string;

  @Property({ type: 'string' })
  @Field(() => String)
  name!: string;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  description?: string | null;

  @Property({ type: 'json' })
  routes!: StoredRoute[];

  @Property({ type: 'string', nullable: true })
  shadowModelVersionId?: string | null;

  @Property({ type: 'integer' })
  maxBatchSize!: number;

  @Property({ type: 'double' })
  maxQueueDelayMs!: number;

  @Property({ type: 'integer', default: 1 })
  @Field(() => Int, {
    description: 'Session runs of this endpoint in flight at once (batches, with batching on); the rest queue',
  })
  replicas: number = 1;

  @Property({ type: 'json' })
  executionProviders!: ExecutionProvider[];

  @Property({ type: 'json', nullable: true })
  warmupDims?: Record<string, number> | null;

  @Property({ type: 'string' })
  createdById!: string;

  @Field(() => Date)
  override createdAt!: Opt<Date>;

  @Field(() => Date)
  override updatedAt!: Opt<Date>;
}
