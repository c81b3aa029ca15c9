import type { Opt } from '@mikro-orm/core';
import { Entity, Index, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { AuditAction } from './governance.enums';

/** An append-only record of a governed action: PII reads, grants, request decisions, retention runs. */
@Entity({ tableName: 'audit_entry' })
@Index({ properties: ['organizationId', 'createdAt'] })
@Index({ properties: ['datasetId', 'createdAt'] })
@ObjectType('CatalogAuditEntry')
export class AuditEntry extends OrganizationEntity {
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

  /** When it happened (column `at`, the table's name for it since before the base entity). */
  @Property({ type: 'datetime', fieldName: 'at' })
  @Field(() => Date, { name: 'at' })
  override createdAt: Opt<Date> = new Date();
}
