import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A sign-in and its refresh-token family. */
@Directive('@key(fields: "id")')
@ObjectType('Session', { description: 'A sign-in; revoking it ends its refresh tokens' })
export class SessionType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: '`password` or `oidc:<provider>`' })
  method!: string;

  @Field(() => String, { nullable: true })
  userAgent?: string | null;

  @Field(() => String, { nullable: true })
  ipAddress?: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  lastUsedAt!: Date;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  revokedAt?: Date | null;

  @Field(() => String, { nullable: true })
  revokedReason?: string | null;
}
