import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { SchemaVersionRef, UserRef } from '../shared/refs.type';
import type { ConfigEntry } from './config-snapshot.builder';

export enum ConfigEntryKind {
  VALUE = 'VALUE',
  SECRET = 'SECRET',
}
registerEnumType(ConfigEntryKind, {
  name: 'ConfigEntryKind',
  description: 'VALUE: stored as given; SECRET: a reference to a Kubernetes Secret, never a value',
});

@ObjectType('ConfigSecretReference', { description: 'Where a secret lives; the platform never holds its value' })
export class SecretReferenceType {
  @Field(() => String, { description: 'Kubernetes Secret name' }) name!: string;
  @Field(() => String, { description: 'Key inside the Secret' }) key!: string;
}

@ObjectType('ConfigEntry', { description: 'One key of a configuration version' })
export class ConfigEntryType {
  @Field(() => String) key!: string;
  @Field(() => ConfigEntryKind) kind!: ConfigEntryKind;
  @Field(() => JSONScalar, { nullable: true, description: 'The value; always null for secrets' }) value!: unknown;
  @Field(() => SecretReferenceType, { nullable: true }) secret!: SecretReferenceType | null;
}

/** Maps a stored entry to its GraphQL shape (secret entries carry their reference only). */
export function toConfigEntryType(entry: ConfigEntry): ConfigEntryType {
  return entry.kind === 'VALUE'
    ? { key: entry.key, kind: ConfigEntryKind.VALUE, value: entry.value, secret: null }
    : {
        key: entry.key,
        kind: ConfigEntryKind.SECRET,
        value: null,
        secret: { name: entry.secretName, key: entry.secretKey },
      };
}

/** An immutable key/value set of an application, numbered 1, 2, 3 ... */
@Entity({ tableName: 'config_versions' })
@Unique({ properties: ['applicationId', 'version'] })
@Directive('@key(fields: "id")')
@ObjectType()
export class ConfigVersion extends OrganizationEntity {
  [OptionalProps]?: 'note' | 'schemaVersionId';

  // The table's own key and organization columns (varchar(255), indexed) since before the base entity.
  @PrimaryKey({ type: 'string' })
  override id: Opt<string> = randomUUID();

  @Property({ type: 'string', index: true })
  override organizationId!: string;

  @Property({ type: 'string', index: true })
  @Field(() => ID)
  applicationId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  version!: number;

  @Property({ type: 'json' })
  storedEntries!: ConfigEntry[];

  @Property({ type: 'string' })
  @Field(() => String, { description: 'sha256 of the canonical entries: equal configurations have equal checksums' })
  checksum!: string;

  @Property({ type: 'string', nullable: true })
  schemaVersionId?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  note?: string | null;

  @Property({ type: 'string' })
  createdById!: string;

  @Field(() => Date)
  override createdAt!: Opt<Date>;

  @Field(() => [ConfigEntryType])
  entries(): ConfigEntryType[] {
    return this.storedEntries.map(toConfigEntryType);
  }

  @Field(() => SchemaVersionRef, { nullable: true, description: 'The JSON Schema the values were validated against' })
  schemaVersion(): SchemaVersionRef | null {
    return this.schemaVersionId ? { id: this.schemaVersionId } : null;
  }

  @Field(() => UserRef)
  createdBy(): UserRef {
    return { id: this.createdById };
  }
}
