import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { OrganizationEntity, PlatformEntity } from '../../../../lib/src/kit/base.entity';
import type { CompatibilityMode } from '../compatibility/schema-types';

/*
 * Both tables are keyed by their own column (`organization_id`, `name`) since before the base
 * entities, and keep that key: the base's `id` and `created_at` are plain nullable columns here
 * (added by syncSchema to an old database, null on its old rows).
 */

/** An organization's registry-wide settings (Confluent's global `/config`), one row per organization. */
@Entity({ tableName: 'registry_settings' })
export class RegistrySettingsEntity extends OrganizationEntity {
  @PrimaryKey({ type: 'string' })
  override organizationId!: string;

  /** Not the key (the organization is): added with the base entity, null on rows written before it. */
  @Property({ type: 'string', length: 36, nullable: true })
  override id: Opt<string> = randomUUID();

  /** Added with the base entity: null on rows written before it. */
  @Property({ type: 'datetime', nullable: true })
  override createdAt: Opt<Date> = new Date();

  @Property({ type: 'string' })
  compatibility!: CompatibilityMode;
}

/**
 * The last global schema id handed out. Ids are never reused, even after a permanent delete:
 * clients cache id → schema forever.
 */
@Entity({ tableName: 'id_sequences' })
export class IdSequenceEntity extends PlatformEntity {
  @PrimaryKey({ type: 'string' })
  name!: string;

  /** Not the key (the name is): added with the base entity, null on rows written before it. */
  @Property({ type: 'string', length: 36, nullable: true })
  override id: Opt<string> = randomUUID();

  /** Added with the base entity: null on rows written before it. */
  @Property({ type: 'datetime', nullable: true })
  override createdAt: Opt<Date> = new Date();

  @Property({ type: 'integer' })
  value!: number;
}
