import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A machine credential; the secret itself is never readable after creation. */
@Directive('@key(fields: "id")')
@ObjectType('ApiKey', { description: 'A machine credential acting as a member with at most its roles' })
export class ApiKeyType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Public part of the key (`aic_<prefix>_...`), to recognise it' })
  prefix!: string;

  @Field(() => [String])
  roles!: string[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date | null;

  @Field(() => Date, { nullable: true })
  lastUsedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt?: Date | null;
}

/** The answer of createApiKey: the only time the secret is shown. */
@ObjectType('CreatedApiKey')
export class CreatedApiKeyType {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The full key. Shown once: store it now' })
  secret!: string;
}
