import type { EntityManager } from '@mikro-orm/core';
import { User } from '../user/user.entity';
import { Organization } from '../organization/organization.entity';
import type { PasswordHasher } from './password.hasher';
import { isLocked, registerFailure, type LockoutPolicy } from './lockout.policy';
import type { AccessTokenIssuer } from '../token/access-token.issuer';
import type { SessionService } from '../session/session.service';
import type { RoleService } from '../role/role.service';
import type { OrganizationService } from '../organization/organization.service';
import type { AuditService } from '../audit/audit.service';
import type { Clock, RequestMeta } from '../shared/actor.types';
import { InvalidCredentialsError, PermissionDeniedError } from '../shared/identity.errors';
import { PASSWORD_MAX } from '../user/user.service';
import { Membership } from '../organization/membership.entity';

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

/** Password sign-in with lockout, refresh rotation and logout. */
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly lockout: LockoutPolicy,
    private readonly tokens: AccessTokenIssuer,
    private readonly sessions: SessionService,
    private readonly roles: RoleService,
    private readonly organizations: OrganizationService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Signs in with email and password into `organizationId` (default: the user's oldest membership).
   * Every failure does one Argon2 verification and throws the same error.
   */
  async login(email: string, password: string, organizationId?: string | null, meta?: RequestMeta): Promise<AuthResult> {
    const now = this.clock();
    const normalized = email.trim().toLowerCase();
    const user =
      normalized.length <= 320 && password.length <= PASSWORD_MAX
        ? await this.em.findOne(User, { email: normalized }, { populate: ['passwordHash'] })
        : null;
    if (!user || !user.passwordHash || user.disabled) {
      await this.hasher.burn(password);
      this.audit.record({ type: 'login.failed', success: false, organizationId: null, meta, details: { email: normalized.slice(0, 320), reason: user ? 'no-password' : 'unknown-email' } });
      await this.em.flush();
      throw new InvalidCredentialsError(LOGIN_FAILED);
    }
    const orgIds = await this.memberOrganizationIds(user.id);
    if (isLocked(user, now)) {
      await this.hasher.burn(password);
      for (const org of orgIds) this.audit.record({ type: 'login.locked', success: false, organizationId: org, target: { type: 'User', id: user.id }, meta, details: { lockedUntil: user.lockedUntil?.toISOString() } });
      await this.em.flush();
      throw new InvalidCredentialsError(LOGIN_FAILED);
    }
    // Book the attempt as a failure before verifying, with a compare-and-set on the counter: of
    // parallel guesses against one account only one proceeds, so a burst cannot outrun the lockout.
    const pending = registerFailure(user, now, this.lockout);
    const claimed = await this.em.nativeUpdate(User, { id: user.id, failedLoginCount: user.failedLoginCount }, pending);
    if (claimed !== 1) {
      await this.hasher.burn(password);
      throw new InvalidCredentialsError(LOGIN_FAILED);
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      Object.assign(user, pending);
      for (const org of orgIds) {
        this.audit.record({ type: 'login.failed', success: false, organizationId: org, target: { type: 'User', id: user.id }, meta, details: { failedLoginCount: pending.failedLoginCount } });
        if (pending.lockedUntil) this.audit.record({ type: 'account.locked', success: false, organizationId: org, target: { type: 'User', id: user.id }, meta, details: { lockedUntil: pending.lockedUntil.toISOString(), failedLoginCount: pending.failedLoginCount } });
      }
      await this.em.flush();
      throw new InvalidCredentialsError(LOGIN_FAILED);
    }
    const reset = { failedLoginCount: 0, lockedUntil: null, lastFailedLoginAt: null, lastLoginAt: now };
    await this.em.nativeUpdate(User, { id: user.id }, reset);
    Object.assign(user, reset);
    if (this.hasher.needsRehash(user.passwordHash)) user.passwordHash = await this.hasher.hash(password);
    const organization = await this.pickOrganization(user, orgIds, organizationId);
    return this.openSession(user, organization, 'password', meta);
  }

  /** Opens a session and issues its first token pair (password and external sign-ins). */
  async openSession(user: User, organization: Organization, method: string, meta?: RequestMeta): Promise<AuthResult> {
    const grant = await this.roles.grantOf(user.id, organization.id);
    if (!grant) throw new PermissionDeniedError('You are not a member of this organization');
    const { session, refreshToken } = await this.sessions.start(user, organization, method, meta);
    const issued = await this.tokens.issue(this.em, { sub: user.id, org: organization.id, roles: grant.roles, perms: grant.permissions, kind: 'user', sid: session.id });
    this.audit.record({ type: method === 'password' ? 'login.succeeded' : 'external.login', success: true, organizationId: organization.id, actor: { id: user.id, kind: 'user' }, target: { type: 'Session', id: session.id }, meta, details: { method } });
    await this.em.flush();
    return { accessToken: issued.accessToken, refreshToken, expiresIn: issued.expiresIn, user, organization, sessionId: session.id };
  }

  /** Rotates a refresh token; roles and permissions are re-read, so changes apply at the next refresh. */
  async refresh(refreshToken: string, meta?: RequestMeta): Promise<AuthResult> {
    const { session, refreshToken: next } = await this.sessions.rotate(refreshToken, meta);
    const user = await this.em.findOneOrFail(User, { id: session.user.id });
    const organization = await this.em.findOneOrFail(Organization, { id: session.organization.id });
    const grant = await this.roles.grantOf(user.id, organization.id);
    if (!grant || user.disabled) {
      await this.sessions.revokeAllOf(user.id, organization.id, 'membership-removed');
      throw new InvalidCredentialsError('Invalid refresh token');
    }
    const issued = await this.tokens.issue(this.em, { sub: user.id, org: organization.id, roles: grant.roles, perms: grant.permissions, kind: 'user', sid: session.id });
    return { accessToken: issued.accessToken, refreshToken: next, expiresIn: issued.expiresIn, user, organization, sessionId: session.id };
  }

  private async memberOrganizationIds(userId: string): Promise<string[]> {
    const memberships = await this.em.find(Membership, { user: userId }, { orderBy: { createdAt: 'asc' } });
    return memberships.map((m) => m.organization.id);
  }

  private async pickOrganization(user: User, orgIds: string[], requested?: string | null): Promise<Organization> {
    const id = requested ?? orgIds[0];
    if (!id || !orgIds.includes(id)) {
      await this.em.flush();
      throw new PermissionDeniedError('You are not a member of this organization');
    }
    return this.organizations.byId(id);
  }
}
