import type { EntityManager } from '@mikro-orm/core';
import { decodeJwt, jwtVerify } from 'jose';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { ExternalJwksCache } from './external-jwks.cache';
import type { ExternalProviderSettings } from './external-provider.settings';
import { ExternalIdentity } from '../user/external-identity.entity';
import { User } from '../user/user.entity';
import type { UserRepository } from '../user/user.repository';
import { Membership } from '../organization/membership.entity';
import type { Organization } from '../organization/organization.entity';
import type { OrganizationRepository } from '../organization/organization.repository';
import { RoleAssignment } from '../role/role-assignment.entity';
import type { RoleRepository } from '../role/role.repository';
import type { AuditService } from '../audit/audit.service';
import type { RequestMeta } from '../shared/actor.types';
import { InvalidCredentialsError } from '../shared/identity.errors';

const DEFAULT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

/** A verified external sign-in mapped onto a local user. */
export interface ExternalSignIn {
  provider: ExternalProviderSettings;
  user: User;
  organization: Organization;
  roles: string[];
}

/**
 * Accepts id or access tokens of configured OIDC issuers, verified through their JWKS, and maps
 * them onto local users: created on first sight in the provider's organization, with the roles its
 * claim mapping grants (re-synced on every exchange; manual grants are left alone).
 */
export class ExternalIdentityService {
  constructor(
    private readonly deps: {
      users: UserRepository;
      organizations: OrganizationRepository;
      roles: RoleRepository;
      providers: readonly ExternalProviderSettings[];
      jwks: ExternalJwksCache;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  /** Verifies `token` and returns the local user, organization and mapped roles. */
  async verify(em: EntityManager, token: string, meta?: RequestMeta): Promise<ExternalSignIn> {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new InvalidCredentialsError('Invalid external token');
    }
    const provider = this.deps.providers.find((p) => p.issuer === issuer);
    if (!provider) throw new InvalidCredentialsError('Invalid external token');
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, this.deps.jwks.keySet(provider), {
        issuer: provider.issuer,
        audience: provider.audience,
        algorithms: provider.algorithms ?? DEFAULT_ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
        currentDate: this.deps.clock(),
      }));
    } catch (error) {
      this.deps.audit.record(em, {
        type: 'external.rejected',
        success: false,
        meta,
        details: { provider: provider.name, reason: (error as { code?: string }).code ?? 'invalid' },
      });
      await em.flush();
      throw new InvalidCredentialsError('Invalid external token');
    }
    const organization = await this.deps.organizations.findBySlug(em, provider.organizationSlug);
    if (!organization)
      throw new Error(`External provider ${provider.name}: organization "${provider.organizationSlug}" does not exist`);
    const user = await this.mapUser(em, provider, claims);
    const roles = await this.syncRoles(em, provider, user, organization, claims);
    return { provider, user, organization, roles };
  }

  private async mapUser(
    em: EntityManager,
    provider: ExternalProviderSettings,
    claims: Record<string, unknown>,
  ): Promise<User> {
    const subject = claims.sub as string;
    const now = this.deps.clock();
    const link = await this.deps.users.findExternalIdentity(em, provider.issuer, subject);
    if (link) {
      link.lastSeenAt = now;
      return link.user;
    }
    const emailValue = claims[provider.emailClaim ?? 'email'];
    const email = typeof emailValue === 'string' ? emailValue.trim().toLowerCase() : null;
    let user: User | null = null;
    if (email && provider.linkByEmail && claims.email_verified === true) {
      user = await this.deps.users.findByEmail(em, email);
    }
    if (!user) {
      // Without a usable email the subject gets a stable address under the provider's name, so the
      // unique email column never collides with a local account.
      const taken = email ? await this.deps.users.emailTaken(em, email) : true;
      const address = taken
        ? `${subject.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200)}@${provider.name}.external`
        : (email as string);
      const nameValue = claims[provider.nameClaim ?? 'name'];
      user = em.create(User, {
        email: address,
        name: typeof nameValue === 'string' && nameValue.trim() ? nameValue.trim().slice(0, 200) : address,
        passwordHash: null,
      });
      em.persist(user);
    }
    em.persist(
      em.create(ExternalIdentity, { issuer: provider.issuer, subject, user, createdAt: now, lastSeenAt: now }),
    );
    await em.flush();
    return user;
  }

  private async syncRoles(
    em: EntityManager,
    provider: ExternalProviderSettings,
    user: User,
    organization: Organization,
    claims: Record<string, unknown>,
  ): Promise<string[]> {
    const source = `oidc:${provider.name}`;
    const raw = claims[provider.roleClaim ?? 'groups'];
    const values = Array.isArray(raw)
      ? raw.filter((v): v is string => typeof v === 'string')
      : typeof raw === 'string'
        ? raw.split(/[\s,]+/)
        : [];
    const wanted = new Set(provider.defaultRoles ?? []);
    for (const value of values) for (const role of provider.roleMapping[value] ?? []) wanted.add(role);
    let membership = await this.deps.organizations.findMembership(em, user.id, organization.id);
    if (!membership) {
      membership = em.create(Membership, { user, organizationId: organization.id });
      await em.persist(membership).flush();
    }
    const roles = wanted.size ? await this.deps.roles.findByNames(em, organization.id, [...wanted]) : [];
    const current = await this.deps.roles.assignmentsOf(em, membership, source);
    for (const assignment of current) {
      if (!wanted.has(assignment.role.name)) {
        em.remove(assignment);
        this.deps.audit.record(em, {
          type: 'role.revoked',
          success: true,
          organizationId: organization.id,
          target: { type: 'User', id: user.id },
          details: { role: assignment.role.name, source },
        });
      }
    }
    for (const role of roles) {
      if (current.some((a) => a.role.id === role.id)) continue;
      if (await this.deps.roles.isAssigned(em, membership, role)) continue;
      em.persist(em.create(RoleAssignment, { membership, role, source }));
      this.deps.audit.record(em, {
        type: 'role.assigned',
        success: true,
        organizationId: organization.id,
        target: { type: 'User', id: user.id },
        details: { role: role.name, source },
      });
    }
    await em.flush();
    return roles.map((r) => r.name).sort();
  }
}
