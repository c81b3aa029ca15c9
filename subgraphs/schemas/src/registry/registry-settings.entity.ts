import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { CompatibilityMode } from '../compatibility/schema-types';

/** An organization's registry-wide settings (Confluent's global `/config`). */
@Entity({ tableName: 'registry_settings' })
export class RegistrySettingsEntity {
  @PrimaryKey({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) compatibility!: CompatibilityMode;
}

/**
 * The last global schema id handed out. Ids are never reused, even after a permanent delete:
 * clients cache id → schema forever.
 */
@Entity({ tableName: 'id_sequences' })
export class IdSequenceEntity {
  @PrimaryKey({ type: 'string' }) name!: string;
  @Property({ type: 'integer' }) value!: number;
}
