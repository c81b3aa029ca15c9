import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';
import { AuditAction } from './governance.enums';

/** An append-only record of a governed action: PII reads, grants, request decisions, retention runs. */
@Entity({ tableName: 'audit_entry' })
@Index({ properties: ['organizationId', 'at'] })
@Index({ properties: ['datasetId', 'at'] })
@ObjectType('CatalogAuditEntry')
export class AuditEntry {
  [OptionalProps]?: 'at';

  @PrimaryKey({ type: 'string', length: 36 })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'string', length: 64 })
  organizationId!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  @Field(() => ID, { nullable: true })
  datasetId?: string | null;

  @Property({ type: 'string', length: 128 })
  @Field(() => String, { description: 'User id, or service:<name> for a service, or system for the scheduler.' })
  actorId!: string;

  @Property({ type: 'string', length: 32 })
  @Field(() => AuditAction)
  action!: AuditAction;

  @Property({ type: 'json', nullable: true })
  @Field(() => JSONScalar, { nullable: true })
  details?: Record<string, unknown> | null;

  @Property({ type: 'datetime' })
  @Field(() => Date)
  at: Date = new Date();
}
