import { Field, Int, ObjectType } from 'type-graphql';
import { OrganizationType } from '../organization/organization.type';
import { UserType } from '../user/user.type';

/** Tokens of a session. */
@ObjectType('AuthPayload')
export class AuthPayloadType {
  @Field(() => String, { description: 'Send as `Authorization: Bearer <accessToken>`' })
  accessToken!: string;

  @Field(() => String, { description: 'Opaque, single use: exchange it with refreshToken before the session ends' })
  refreshToken!: string;

  @Field(() => Int, { description: 'Seconds until the access token expires' })
  expiresIn!: number;

  @Field(() => String)
  tokenType!: string;

  @Field(() => UserType)
  user!: UserType;

  @Field(() => OrganizationType, { description: 'The organization the tokens are scoped to' })
  organization!: OrganizationType;
}

/** An access token without a session (API key exchange). */
@ObjectType('AccessToken')
export class AccessTokenType {
  @Field(() => String)
  accessToken!: string;

  @Field(() => Int)
  expiresIn!: number;

  @Field(() => String)
  tokenType!: string;
}
