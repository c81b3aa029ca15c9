import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { ExecutionProvider } from '../runtime/execution-provider';

/** A routed model version as stored. */
export interface StoredRoute {
  modelVersionId: string;
  weight: number;
}

/** A serving endpoint: named, organization-scoped, routing traffic to model versions. */
@Entity({ tableName: 'endpoints' })
@Unique({ properties: ['organizationId', 'name'] })
@Directive('@key(fields: "id")')
@ObjectType()
export class Endpoint {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'description' | 'shadowModelVersionId' | 'warmupDims' | 'replicas';

  @PrimaryKey({ type: 'string' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'string', index: true })
  organizationId!: string;

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
  @Field(() => Int, { description: 'Session runs of this endpoint in flight at once (batches, with batching on); the rest queue' })
  replicas: number = 1;

  @Property({ type: 'json' })
  executionProviders!: ExecutionProvider[];

  @Property({ type: 'json', nullable: true })
  warmupDims?: Record<string, number> | null;

  @Property({ type: 'string' })
  createdById!: string;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
