import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { AccessTokenType, AuthPayloadType } from './auth-payload.type';
import type { AuthResult } from './auth.service';
import type { IdentityContext } from '../context';
import { InvalidCredentialsError } from '../shared/identity.errors';
import { requireViewer } from '../../../../lib/src/index';

/** A credential check, throttled per client address (failures across accounts). */
function guarded<T>(ctx: IdentityContext, check: () => Promise<T>): Promise<T> {
  return ctx.services.throttle.guard(ctx.meta.ipAddress ?? 'unknown', check);
}

function payload(ctx: IdentityContext, result: AuthResult): AuthPayloadType {
  ctx.signedIn = { id: result.user.id, organizationId: result.organization.id };
  return { accessToken: result.accessToken, refreshToken: result.refreshToken, expiresIn: result.expiresIn, tokenType: 'Bearer', user: result.user, organization: result.organization };
}

/** Sign-in, token refresh and exchange, sign-out. These mutations are public: they establish who the caller is. */
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayloadType, { description: 'Signs in with email and password; organizationId picks the organization (default: your first)' })
  async login(
    @Arg('email', () => String) email: string,
    @Arg('password', () => String) password: string,
    @Arg('organizationId', () => ID, { nullable: true }) organizationId: string | null | undefined,
    @Ctx() ctx: IdentityContext,
  ): Promise<AuthPayloadType> {
    return payload(ctx, await guarded(ctx, () => ctx.services.auth.login(email, password, organizationId, ctx.meta)));
  }

  @Mutation(() => AuthPayloadType, { description: 'Exchanges a refresh token for a new pair; each refresh token works once' })
  async refreshToken(@Arg('refreshToken', () => String) refreshToken: string, @Ctx() ctx: IdentityContext): Promise<AuthPayloadType> {
    return payload(ctx, await guarded(ctx, () => ctx.services.auth.refresh(refreshToken, ctx.meta)));
  }

  @Mutation(() => Boolean, { description: 'Ends the session of the given refresh token, or else of the access token used' })
  async logout(@Arg('refreshToken', () => String, { nullable: true }) refreshToken: string | null | undefined, @Ctx() ctx: IdentityContext): Promise<boolean> {
    if (refreshToken) return ctx.services.sessions.logoutByRefreshToken(refreshToken, ctx.meta);
    const viewer = requireViewer(ctx.viewer);
    if (!viewer.sessionId) throw new InvalidCredentialsError('This token belongs to no session');
    await ctx.services.sessions.revoke(viewer, viewer.sessionId, ctx.meta);
    return true;
  }

  @Mutation(() => AuthPayloadType, { description: 'Exchanges an id or access token of a configured OIDC provider for platform tokens' })
  async exchangeExternalToken(@Arg('token', () => String) token: string, @Ctx() ctx: IdentityContext): Promise<AuthPayloadType> {
    const signIn = await guarded(ctx, () => ctx.services.external.verify(token, ctx.meta));
    return payload(ctx, await ctx.services.auth.openSession(signIn.user, signIn.organization, `oidc:${signIn.provider.name}`, ctx.meta));
  }

  @Mutation(() => AccessTokenType, { description: 'Exchanges an API key for a short-lived access token' })
  async authenticateApiKey(@Arg('key', () => String) key: string, @Ctx() ctx: IdentityContext): Promise<AccessTokenType> {
    const issued = await guarded(ctx, () => ctx.services.apiKeys.authenticate(key, ctx.meta));
    return { accessToken: issued.accessToken, expiresIn: issued.expiresIn, tokenType: 'Bearer' };
  }

  @Mutation(() => Boolean, { description: 'Changes your password; your other sessions, in every organization, end' })
  async changePassword(
    @Arg('currentPassword', () => String) currentPassword: string,
    @Arg('newPassword', () => String) newPassword: string,
    @Ctx() ctx: IdentityContext,
  ): Promise<boolean> {
    const viewer = requireViewer(ctx.viewer);
    await guarded(ctx, () => ctx.services.users.changePassword(viewer, currentPassword, newPassword, ctx.meta));
    await ctx.services.sessions.revokeOthersOf(viewer.id, viewer.sessionId, 'password-changed');
    return true;
  }
}
