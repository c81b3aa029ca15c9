import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import { AccessTokenType, AuthPayloadType } from './auth-payload.type';
import type { AuthResult } from './auth.service';
import { callerScope, type IdentityContext } from '../context';

/** The GraphQL payload of a sign-in; the rest of its selection is answered as the user who just signed in. */
function payload(ctx: IdentityContext, result: AuthResult): AuthPayloadType {
  ctx.signedIn = { id: result.user.id, organizationId: result.organization.id };
  return {
    accessToken: result.accessToken,
    refreshToken: result.refreshToken,
    expiresIn: result.expiresIn,
    tokenType: 'Bearer',
    user: result.user,
    organization: result.organization,
  };
}

/** Sign-in, token refresh and exchange, sign-out. These mutations are public: they establish who the caller is. */
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayloadType, {
    description: 'Signs in with email and password; organizationId picks the organization (default: your first)',
  })
  async login(
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
    @Arg('organizationId', () => ID, { nullable: true }) organizationId: string | null | undefined,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayloadType> {
    return payload(ctx, await ctx.services.auth.login(callerScope(ctx), email, password, organizationId, ctx.meta));
  }

  @Mutation(() => AuthPayloadType, {
    description: 'Exchanges a refresh token for a new pair; each refresh token works once',
  })
  async refreshToken(
    @Arg('refreshToken', () => String) refreshToken: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayloadType> {
    return payload(ctx, await ctx.services.auth.refresh(callerScope(ctx), refreshToken, ctx.meta));
  }

  @Mutation(() => Boolean, {
    description: 'Ends the session of the given refresh token, or else of the access token used',
  })
  logout(
    @Arg('refreshToken', () => String, { nullable: true }) refreshToken: string | null | undefined,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    return ctx.services.sessions.logout(callerScope(ctx), refreshToken, ctx.meta);
  }

  @Mutation(() => AuthPayloadType, {
    description: 'Exchanges an id or access token of a configured OIDC provider for platform tokens',
  })
  async exchangeExternalToken(
    @Arg('token', () => String) token: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayloadType> {
    return payload(ctx, await ctx.services.auth.exchangeExternalToken(callerScope(ctx), token, ctx.meta));
  }

  @Mutation(() => AccessTokenType, { description: 'Exchanges an API key for a short-lived access token' })
  async authenticateApiKey(
    @Arg('key', () => String) key: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<AccessTokenType> {
    const issued = await ctx.services.apiKeys.authenticate(callerScope(ctx), key, ctx.meta);
    return { accessToken: issued.accessToken, expiresIn: issued.expiresIn, tokenType: 'Bearer' };
  }

  @Mutation(() => Boolean, { description: 'Changes your password; your other sessions, in every organization, end' })
  changePassword(
    @Arg('currentPassword', () => String) currentPassword: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    return ctx.services.users.changePassword(requestScope(ctx), currentPassword, newPassword, ctx.meta);
  }
}
