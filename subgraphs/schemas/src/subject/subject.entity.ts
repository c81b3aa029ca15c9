import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { CompatibilityMode } from '../compatibility/schema-types';

/** A named, organization-scoped sequence of schema versions. */
@Entity({ tableName: 'subjects' })
@Unique({ properties: ['organizationId', 'name'] })
export class SubjectEntity {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'deleted' | 'compatibility' | 'nextVersion';

  @PrimaryKey({ type: 'string' }) id: string = randomUUID();
  @Index() @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) name!: string;
  /** The subject's own mode; null = the organization's default. */
  @Property({ type: 'string', nullable: true }) compatibility: CompatibilityMode | null = null;
  /** Soft-deleted (Confluent `DELETE /subjects/{s}`): hidden from lists, versions kept, numbering continues. */
  @Property({ type: 'boolean' }) deleted: boolean = false;
  /** Versions are never renumbered, even after deletes. */
  @Property({ type: 'integer' }) nextVersion: number = 1;
  @Property({ type: 'datetime' }) createdAt: Date = new Date();
  @Property({ type: 'datetime', onUpdate: () => new Date() }) updatedAt: Date = new Date();
}
