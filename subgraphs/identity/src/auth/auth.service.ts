import type { EntityManager } from '@mikro-orm/core';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { User } from '../user/user.entity';
import type { UserRepository } from '../user/user.repository';
import { PASSWORD_MAX } from '../user/user.policy';
import type { Organization } from '../organization/organization.entity';
import type { OrganizationRepository } from '../organization/organization.repository';
import type { OrganizationService } from '../organization/organization.service';
import type { PasswordHasher } from './password.hasher';
import type { CredentialThrottle } from './credential-throttle';
import { isLocked, registerFailure, type LockoutPolicy } from './lockout.policy';
import type { AccessTokenIssuer } from '../token/access-token.issuer';
import type { SessionService } from '../session/session.service';
import type { RoleService } from '../role/role.service';
import type { ExternalIdentityService } from '../external-idp/external-identity.service';
import type { AuditService } from '../audit/audit.service';
import type { CallerScope, RequestMeta } from '../shared/actor.types';
import { InvalidCredentialsError, PermissionDeniedError } from '../shared/identity.errors';

/** What a successful sign-in or refresh returns. */
export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
  organization: Organization;
  sessionId: string;
}

/** One message for every failed sign-in, so the answer never tells whether an email is registered or locked. */
export const LOGIN_FAILED = 'Invalid email or password, or too many attempts: try again later';

/**
 * Password sign-in with lockout, refresh rotation, external token exchange. Every credential check
 * runs through the per-address throttle: failures count against the caller's address across accounts.
 */
export class AuthService {
  constructor(
    private readonly deps: {
      users: UserRepository;
      organizationRepository: OrganizationRepository;
      organizations: OrganizationService;
      hasher: PasswordHasher;
      lockout: LockoutPolicy;
      tokens: AccessTokenIssuer;
      sessions: SessionService;
      roles: RoleService;
      external: ExternalIdentityService;
      audit: AuditService;
      throttle: CredentialThrottle;
      clock: Clock;
    },
  ) {}

  /**
   * `login`: signs in with email and password into `organizationId` (default: the user's oldest
   * membership). Every failure does one Argon2 verification and throws the same error.
   */
  login(
    { em }: CallerScope,
    email: string,
    password: string,
    organizationId?: string | null,
    meta?: RequestMeta,
  ): Promise<AuthResult> {
    return this.guarded(meta, () => this.signIn(em, email, password, organizationId, meta));
  }

  /** `refreshToken`: rotates a refresh token; roles and permissions are re-read, so changes apply at the next refresh. */
  refresh({ em }: CallerScope, refreshToken: string, meta?: RequestMeta): Promise<AuthResult> {
    return this.guarded(meta, () => this.rotate(em, refreshToken, meta));
  }

  /** `exchangeExternalToken`: a token of a configured OIDC provider, verified, opens a session of the user it maps onto. */
  async exchangeExternalToken({ em }: CallerScope, token: string, meta?: RequestMeta): Promise<AuthResult> {
    const signIn = await this.guarded(meta, () => this.deps.external.verify(em, token, meta));
    return this.openSession(em, signIn.user, signIn.organization, `oidc:${signIn.provider.name}`, meta);
  }

  /** Opens a session and issues its first token pair (password and external sign-ins). */
  async openSession(
    em: EntityManager,
    user: User,
    organization: Organization,
    method: string,
    meta?: RequestMeta,
  ): Promise<AuthResult> {
    const grant = await this.deps.roles.grantOf(em, user.id, organization.id);
    if (!grant) throw new PermissionDeniedError('You are not a member of this organization');
    const { session, refreshToken } = await this.deps.sessions.start(em, user, organization, method, meta);
    const issued = await this.deps.tokens.issue(em, {
      sub: user.id,
      org: organization.id,
      roles: grant.roles,
      perms: grant.permissions,
      kind: 'user',
      sid: session.id,
    });
    this.deps.audit.record(em, {
      type: method === 'password' ? 'login.succeeded' : 'external.login',
      success: true,
      organizationId: organization.id,
      actor: { id: user.id, kind: 'user' },
      target: { type: 'Session', id: session.id },
      meta,
      details: { method },
    });
    await em.flush();
    return {
      accessToken: issued.accessToken,
      refreshToken,
      expiresIn: issued.expiresIn,
      user,
      organization,
      sessionId: session.id,
    };
  }

  /** A credential check, throttled per client address (failures across accounts). */
  private guarded<T>(meta: RequestMeta | undefined, check: () => Promise<T>): Promise<T> {
    return this.deps.throttle.guard(meta?.ipAddress ?? 'unknown', check);
  }

  private async signIn(
    em: EntityManager,
    email: string,
    password: string,
    organizationId?: string | null,
    meta?: RequestMeta,
  ): Promise<AuthResult> {
    const { users, hasher, audit } = this.deps;
    const now = this.deps.clock();
    const normalized = email.trim().toLowerCase();
    const user =
      normalized.length <= 320 && password.length <= PASSWORD_MAX
        ? await users.findByEmailWithPassword(em, normalized)
        : null;
    if (!user || !user.passwordHash || user.disabled) {
      await hasher.burn(password);
      audit.record(em, {
        type: 'login.failed',
        success: false,
        organizationId: null,
        meta,
        details: { email: normalized.slice(0, 320), reason: user ? 'no-password' : 'unknown-email' },
      });
      await em.flush();
      throw new InvalidCredentialsError(LOGIN_FAILED);
    }
    const orgIds = await this.deps.organizationRepository.organizationIdsOf(em, user.id);
    if (isLocked(user, now)) {
      await hasher.burn(password);
      for (const org of orgIds)
        audit.record(em, {
          type: 'login.locked',
          success: false,
          organizationId: org,
          target: { type: 'User', id: user.id },
          meta,
          details: { lockedUntil: user.lockedUntil?.toISOString() },
        });
      await em.flush();
      throw new InvalidCredentialsError(LOGIN_FAILED);
    }
    // Book the attempt as a failure before verifying, with a compare-and-set on the counter: of
    // parallel guesses against one account only one proceeds, so a burst cannot outrun the lockout.
    const pending = registerFailure(user, now, this.deps.lockout);
    if (!(await users.claimLoginAttempt(em, user.id, user.failedLoginCount, pending))) {
      await hasher.burn(password);
      throw new InvalidCredentialsError(LOGIN_FAILED);
    }
    if (!(await hasher.verify(user.passwordHash, password))) {
      Object.assign(user, pending);
      for (const org of orgIds) {
        audit.record(em, {
          type: 'login.failed',
          success: false,
          organizationId: org,
          target: { type: 'User', id: user.id },
          meta,
          details: { failedLoginCount: pending.failedLoginCount },
        });
        if (pending.lockedUntil)
          audit.record(em, {
            type: 'account.locked',
            success: false,
            organizationId: org,
            target: { type: 'User', id: user.id },
            meta,
            details: { lockedUntil: pending.lockedUntil.toISOString(), failedLoginCount: pending.failedLoginCount },
          });
      }
      await em.flush();
      throw new InvalidCredentialsError(LOGIN_FAILED);
    }
    const reset = { failedLoginCount: 0, lockedUntil: null, lastFailedLoginAt: null, lastLoginAt: now };
    await users.resetLoginFailures(em, user.id, reset);
    Object.assign(user, reset);
    if (hasher.needsRehash(user.passwordHash)) user.passwordHash = await hasher.hash(password);
    const organization = await this.pickOrganization(em, orgIds, organizationId);
    return this.openSession(em, user, organization, 'password', meta);
  }

  private async rotate(em: EntityManager, refreshToken: string, meta?: RequestMeta): Promise<AuthResult> {
    const { session, refreshToken: next } = await this.deps.sessions.rotate(em, refreshToken, meta);
    const user = await this.deps.users.getById(em, session.user.id);
    const organization = await this.deps.organizationRepository.getById(em, session.organizationId);
    const grant = await this.deps.roles.grantOf(em, user.id, organization.id);
    if (!grant || user.disabled) {
      await this.deps.sessions.revokeAllOf(em, user.id, organization.id, 'membership-removed');
      throw new InvalidCredentialsError('Invalid refresh token');
    }
    const issued = await this.deps.tokens.issue(em, {
      sub: user.id,
      org: organization.id,
      roles: grant.roles,
      perms: grant.permissions,
      kind: 'user',
      sid: session.id,
    });
    return {
      accessToken: issued.accessToken,
      refreshToken: next,
      expiresIn: issued.expiresIn,
      user,
      organization,
      sessionId: session.id,
    };
  }

  private async pickOrganization(
    em: EntityManager,
    orgIds: string[],
    requested?: string | null,
  ): Promise<Organization> {
    const id = requested ?? orgIds[0];
    if (!id || !orgIds.includes(id)) {
      await em.flush();
      throw new PermissionDeniedError('You are not a member of this organization');
    }
    return this.deps.organizations.byId(em, id);
  }
}
