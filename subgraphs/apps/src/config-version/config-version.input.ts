import { Field, ID, InputType } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';

@InputType()
export class SecretReferenceInput {
  @Field(() => String, { description: 'Kubernetes Secret name' }) name!: string;
  @Field(() => String, { description: 'Key inside the Secret' }) key!: string;
}

@InputType({ description: 'Either a value or a secret reference' })
export class ConfigEntryInput {
  @Field(() => String, { description: 'Environment variable name: a letter or _ then letters, digits or _' })
  key!: string;
  @Field(() => JSONScalar, { nullable: true }) value?: unknown;
  @Field(() => SecretReferenceInput, { nullable: true }) secret?: SecretReferenceInput;
}

@InputType()
export class CreateConfigVersionInput {
  @Field(() => ID) applicationId!: string;
  @Field(() => [ConfigEntryInput]) entries!: ConfigEntryInput[];
  @Field(() => ID, { nullable: true, description: 'A JSON Schema version (schemas service) the values must satisfy' })
  schemaVersionId?: string;
  @Field(() => String, { nullable: true }) note?: string;
}
