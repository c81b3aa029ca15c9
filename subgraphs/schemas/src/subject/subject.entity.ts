import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { TrackedOrganizationEntity } from '../../../../lib/src/kit/base.entity';
import type { CompatibilityMode } from '../compatibility/schema-types';

/**
 * A named, organization-scoped sequence of schema versions. Its key and organization columns keep
 * the types they had before the base entity (`varchar(255)`).
 */
@Entity({ tableName: 'subjects' })
@Unique({ properties: ['organizationId', 'name'] })
export class SubjectEntity extends TrackedOrganizationEntity {
  [OptionalProps]?: 'deleted' | 'compatibility' | 'nextVersion';

  @PrimaryKey({ type: 'string' })
  override id: Opt<string> = randomUUID();

  @Index()
  @Property({ type: 'string' })
  override organizationId!: string;

  @Property({ type: 'string' })
  name!: string;

  /** The subject's own mode; null = the organization's default. */
  @Property({ type: 'string', nullable: true })
  compatibility: CompatibilityMode | null = null;

  /** Soft-deleted (Confluent `DELETE /subjects/{s}`): hidden from lists, versions kept, numbering continues. */
  @Property({ type: 'boolean' })
  deleted: boolean = false;

  /** Versions are never renumbered, even after deletes. */
  @Property({ type: 'integer' })
  nextVersion: number = 1;
}
