import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { CompatibilityMode } from '../compatibility/schema-types';

/** An organization's registry-wide settings (Confluent's global `/config`). */
@Entity({ tableName: 'registry_settings' })
export class RegistrySettingsEntity {
  @PrimaryKey({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) compatibility!: CompatibilityMode;
}
