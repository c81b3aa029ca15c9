import { Field, InputType, Int, ObjectType } from 'type-graphql';
import type { CompatibilityMode, SchemaType } from '../compatibility/schema-types';
import { CompatibilityModeEnum, SchemaTypeEnum } from './registry.enums';

@InputType({ description: "A reference to another subject's version" })
export class SchemaReferenceInput {
  @Field(() => String, { description: 'The name the schema uses for it' }) name!: string;
  @Field(() => String) subject!: string;
  @Field(() => Int) version!: number;
}

@InputType({ description: 'A schema to register or check under a subject' })
export class RegisterSchemaInput {
  @Field(() => String) subject!: string;
  @Field(() => SchemaTypeEnum, { defaultValue: 'AVRO', description: 'Defaults to AVRO, as in Confluent' })
  type!: SchemaType;
  @Field(() => String, { description: 'The schema text (JSON for AVRO and JSON, .proto source for PROTOBUF)' })
  schema!: string;
  @Field(() => [SchemaReferenceInput], { nullable: true }) references?: SchemaReferenceInput[] | null;
}

@ObjectType({ description: "One way a schema breaks a subject's compatibility mode" })
export class CompatibilityViolation {
  @Field(() => Int, { description: 'The earlier version it breaks' }) version!: number;
  @Field(() => String, {
    description:
      "BACKWARD: the new schema cannot read that version's data; FORWARD: that version cannot read the new schema's data",
  })
  direction!: string;
  @Field(() => String, { description: 'Where, as a JSON pointer into the schemas' }) path!: string;
  @Field(() => String) message!: string;
}

@ObjectType()
export class CompatibilityCheck {
  @Field(() => Boolean) compatible!: boolean;
  @Field(() => CompatibilityModeEnum, { description: 'The mode the check used' }) mode!: CompatibilityMode;
  @Field(() => [String], { description: 'One line per violation' }) messages!: string[];
  @Field(() => [CompatibilityViolation]) violations!: CompatibilityViolation[];
}

@ObjectType({
  description: 'A problem with a record: `path` is a JSON pointer into the record ("" = the record itself)',
})
export class RecordValidationError {
  @Field(() => String) path!: string;
  @Field(() => String) message!: string;
}

@ObjectType()
export class ValidationResult {
  @Field(() => Boolean) valid!: boolean;
  @Field(() => Int, { description: 'The version the record was validated against' }) version!: number;
  @Field(() => [RecordValidationError]) errors!: RecordValidationError[];
}

@ObjectType({ description: "The organization's registry settings" })
export class RegistryConfig {
  @Field(() => CompatibilityModeEnum, { description: 'Mode of subjects that have none of their own' })
  compatibility!: CompatibilityMode;
}
