import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import type { SchemaType } from '../compatibility/schema-types';
import { UserRef } from '../federation/references.type';
import { SchemaTypeEnum } from '../registry/registry.enums';

/** A reference from a schema to a version of another subject. */
@ObjectType({
  description: "A schema this one uses: another subject's version, under the name the schema refers to it by",
})
export class SchemaReference {
  @Field(() => String, {
    description: 'The name used inside the schema (JSON Schema $ref URL, Avro full name file, .proto import path)',
  })
  name!: string;
  @Field(() => String) subject!: string;
  @Field(() => Int) version!: number;
}

/**
 * An immutable version of a subject. `id` is the global schema id (a decimal integer, as
 * Confluent's `GET /schemas/ids/{id}` uses), unique across organizations; it and the organization
 * column keep the types they had before the base entity (`varchar(255)`).
 */
@Entity({ tableName: 'schema_versions' })
@Unique({ properties: ['subjectId', 'version'] })
@Index({ properties: ['organizationId', 'fingerprint'] })
@Directive('@key(fields: "id")')
@ObjectType({ description: "An immutable version of a subject's schema" })
export class SchemaVersion extends OrganizationEntity {
  [OptionalProps]?: 'deleted' | 'references';

  @PrimaryKey({ type: 'string' }) @Field(() => ID, { description: 'Global schema id' }) override id!: Opt<string>;
  @Property({ type: 'integer', unique: true }) globalId!: number;
  @Index() @Property({ type: 'string' }) override organizationId!: string;
  @Index() @Property({ type: 'string' }) subjectId!: string;
  @Property({ type: 'string' }) @Field(() => String, { description: 'Subject name' }) subject!: string;
  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Version number within the subject, from 1' })
  version!: number;
  @Property({ type: 'string' }) @Field(() => SchemaTypeEnum) type!: SchemaType;
  @Property({ type: 'text' }) @Field(() => String, { description: 'The schema text as registered' }) schema!: string;
  @Property({ type: 'text' })
  @Field(() => String, {
    description:
      'Deterministic form used for identity (Avro: normalized by avsc; JSON: sorted keys; Protobuf: descriptor JSON)',
  })
  canonicalSchema!: string;
  @Property({ type: 'string' })
  @Field(() => String, { description: 'SHA-256 (hex) of the canonical form and the references' })
  fingerprint!: string;
  @Property({ type: 'json' }) @Field(() => [SchemaReference]) references: SchemaReference[] = [];
  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Soft-deleted: still readable by id, no longer part of compatibility checks' })
  deleted: boolean = false;
  @Property({ type: 'string' }) createdById!: string;
  @Field(() => Date) override createdAt!: Opt<Date>;

  @Field(() => UserRef, { description: 'Who registered it' })
  createdBy(): UserRef {
    return { id: this.createdById };
  }
}
