import type { EntityManager } from '@mikro-orm/core';
import { decodeJwt, jwtVerify } from 'jose';
import type { ExternalJwksCache } from './external-jwks.cache';
import type { ExternalProviderSettings } from './external-provider.settings';
import { ExternalIdentity } from '../user/external-identity.entity';
import { User } from '../user/user.entity';
import { Membership } from '../organization/membership.entity';
import { Organization } from '../organization/organization.entity';
import { Role } from '../role/role.entity';
import { RoleAssignment } from '../role/role-assignment.entity';
import type { AuditService } from '../audit/audit.service';
import type { Clock, RequestMeta } from '../shared/actor.types';
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
    private readonly em: EntityManager,
    private readonly providers: readonly ExternalProviderSettings[],
    private readonly jwks: ExternalJwksCache,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Verifies `token` and returns the local user, organization and mapped roles. */
  async verify(token: string, meta?: RequestMeta): Promise<ExternalSignIn> {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new InvalidCredentialsError('Invalid external token');
    }
    const provider = this.providers.find((p) => p.issuer === issuer);
    if (!provider) throw new InvalidCredentialsError('Invalid external token');
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, this.jwks.keySet(provider), {
        issuer: provider.issuer,
        audience: provider.audience,
        algorithms: provider.algorithms ?? DEFAULT_ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
        currentDate: this.clock(),
      }));
    } catch (error) {
      this.audit.record({ type: 'external.rejected', success: false, meta, details: { provider: provider.name, reason: (error as { code?: string }).code ?? 'invalid' } });
      await this.em.flush();
      throw new InvalidCredentialsError('Invalid external token');
    }
    const organization = await this.em.findOne(Organization, { slug: provider.organizationSlug });
    if (!organization) throw new Error(`External provider ${provider.name}: organization "${provider.organizationSlug}" does not exist`);
    const user = await this.mapUser(provider, claims);
    const roles = await this.syncRoles(provider, user, organization, claims);
    return { provider, user, organization, roles };
  }

  private async mapUser(provider: ExternalProviderSettings, claims: Record<string, unknown>): Promise<User> {
    const subject = claims.sub as string;
    const now = this.clock();
    const link = await this.em.findOne(ExternalIdentity, { issuer: provider.issuer, subject }, { populate: ['user'] });
    if (link) {
      link.lastSeenAt = now;
      return link.user;
    }
    const emailValue = claims[provider.emailClaim ?? 'email'];
    const email = typeof emailValue === 'string' ? emailValue.trim().toLowerCase() : null;
    let user: User | null = null;
    if (email && provider.linkByEmail && claims.email_verified === true) {
      user = await this.em.findOne(User, { email });
    }
    if (!user) {
      // Without a usable email the subject gets a stable address under the provider's name, so the
      // unique email column never collides with a local account.
      const taken = email ? (await this.em.count(User, { email })) > 0 : true;
      const address = taken ? `${subject.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200)}@${provider.name}.external` : (email as string);
      const nameValue = claims[provider.nameClaim ?? 'name'];
      user = this.em.create(User, { email: address, name: typeof nameValue === 'string' && nameValue.trim() ? nameValue.trim().slice(0, 200) : address, passwordHash: null });
      this.em.persist(user);
    }
    this.em.persist(this.em.create(ExternalIdentity, { issuer: provider.issuer, subject, user, createdAt: now, lastSeenAt: now }));
    await this.em.flush();
    return user;
  }

  private async syncRoles(provider: ExternalProviderSettings, user: User, organization: Organization, claims: Record<string, unknown>): Promise<string[]> {
    const source = `oidc:${provider.name}`;
    const raw = claims[provider.roleClaim ?? 'groups'];
    const values = Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
    const wanted = new Set(provider.defaultRoles ?? []);
    for (const value of values) for (const role of provider.roleMapping[value] ?? []) wanted.add(role);
    let membership = await this.em.findOne(Membership, { user, organization });
    if (!membership) {
      membership = this.em.create(Membership, { user, organization });
      await this.em.persist(membership).flush();
    }
    const roles = wanted.size ? await this.em.find(Role, { organization, name: { $in: [...wanted] } }) : [];
    const current = await this.em.find(RoleAssignment, { membership, source }, { populate: ['role'] });
    for (const assignment of current) {
      if (!wanted.has(assignment.role.name)) {
        this.em.remove(assignment);
        this.audit.record({ type: 'role.revoked', success: true, organizationId: organization.id, target: { type: 'User', id: user.id }, details: { role: assignment.role.name, source } });
      }
    }
    for (const role of roles) {
      if (current.some((a) => a.role.id === role.id)) continue;
      if (await this.em.count(RoleAssignment, { membership, role })) continue;
      this.em.persist(this.em.create(RoleAssignment, { membership, role, source }));
      this.audit.record({ type: 'role.assigned', success: true, organizationId: organization.id, target: { type: 'User', id: user.id }, details: { role: role.name, source } });
    }
    await this.em.flush();
    return roles.map((r) => r.name).sort();
  }
}
