import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Clock } from '../../../../lib/src/kit/clock';
import { ApiKey } from './api-key.entity';
import type { ApiKeyRepository } from './api-key.repository';
import type { RoleService } from '../role/role.service';
import type { RoleRepository } from '../role/role.repository';
import { permissionsOf } from '../permission/permission.catalog';
import type { OrganizationRepository } from '../organization/organization.repository';
import type { AccessTokenIssuer, IssuedAccessToken } from '../token/access-token.issuer';
import type { AuditService } from '../audit/audit.service';
import type { CredentialThrottle } from '../auth/credential-throttle';
import type { ActorScope, CallerScope, RequestMeta } from '../shared/actor.types';
import {
  EntityNotFoundError,
  InvalidCredentialsError,
  InvalidInputError,
  PermissionDeniedError,
} from '../shared/identity.errors';
import { constantTimeEqual, randomToken, sha256Hex } from '../shared/secret.util';
import type { RevocationService } from '../revocation/revocation.service';

export interface CreateApiKeyInput {
  name: string;
  /** Roles the key carries; default: the roles the acting user holds. */
  roles?: string[] | null;
  /** Another member (a machine user) the key acts as; needs `users:write`. Default: the actor. */
  userId?: string | null;
  expiresAt?: Date | null;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The full key, shown once: `aic_<prefix>_<secret>`. */
  secret: string;
}

const KEY = /^aic_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * API keys for machines. A key acts as a member of one organization with at most the roles it was
 * given; at exchange time its permissions are also cut down to what that member still holds.
 */
export class ApiKeyService {
  constructor(
    private readonly deps: {
      apiKeys: ApiKeyRepository;
      organizations: OrganizationRepository;
      roles: RoleService;
      roleRepository: RoleRepository;
      tokens: AccessTokenIssuer;
      audit: AuditService;
      revocations: RevocationService;
      /** Failed exchanges count against the caller's address. */
      throttle: CredentialThrottle;
      clock: Clock;
    },
  ) {}

  /** Creates a key and returns its secret; only the secret's sha256 is stored. */
  async create(
    { em, viewer: actor }: ActorScope,
    input: CreateApiKeyInput,
    meta?: RequestMeta,
  ): Promise<CreatedApiKey> {
    const { roles, audit } = this.deps;
    const name = input.name.trim();
    if (!name || name.length > 200) throw new InvalidInputError('name', 'Name must be 1-200 characters');
    if (input.expiresAt && input.expiresAt <= this.deps.clock())
      throw new InvalidInputError('expiresAt', 'expiresAt must be in the future');
    const userId = input.userId ?? actor.id;
    if (userId !== actor.id && !actor.permissions.includes('users:write')) {
      throw new PermissionDeniedError('Creating keys for another member needs users:write');
    }
    if (actor.kind !== 'user' && userId === actor.id) throw new PermissionDeniedError('Only a user can own an API key');
    const member = await this.deps.organizations.findMember(em, userId, actor.organizationId);
    if (!member) throw new EntityNotFoundError('User', userId);
    const user = member.user;
    const grant = await roles.grantOf(em, user.id, actor.organizationId);
    const roleNames = [...new Set(input.roles ?? grant?.roles ?? [])].sort();
    if (roleNames.length === 0) throw new InvalidInputError('roles', 'A key needs at least one role');
    for (const roleName of roleNames) {
      const role = await roles.byName(em, actor.organizationId, roleName);
      roles.assertCanGrant(actor, permissionsOf(role), role.name);
    }
    const prefix = Array.from({ length: 12 }, () => ALPHANUM[randomInt(ALPHANUM.length)]).join('');
    const secret = `aic_${prefix}_${randomToken(32)}`;
    const apiKey = em.create(ApiKey, {
      organizationId: actor.organizationId,
      user,
      name,
      prefix,
      secretHash: sha256Hex(secret),
      roles: roleNames,
      createdById: actor.id,
      expiresAt: input.expiresAt ?? null,
    });
    em.persist(apiKey);
    audit.record(em, {
      type: 'apikey.created',
      success: true,
      organizationId: actor.organizationId,
      actor,
      target: { type: 'ApiKey', id: apiKey.id },
      meta,
      details: { name, prefix, roles: roleNames, userId: user.id },
    });
    await em.flush();
    return { apiKey, secret };
  }

  /**
   * `authenticateApiKey`: exchanges a key for an access token of kind `api_key` naming the key
   * (`akid`). Every failure looks the same and counts against the caller's address.
   */
  authenticate(
    { em }: CallerScope,
    presented: string,
    meta?: RequestMeta,
  ): Promise<IssuedAccessToken & { apiKey: ApiKey }> {
    return this.deps.throttle.guard(meta?.ipAddress ?? 'unknown', () => this.exchange(em, presented, meta));
  }

  private async exchange(
    em: EntityManager,
    presented: string,
    meta?: RequestMeta,
  ): Promise<IssuedAccessToken & { apiKey: ApiKey }> {
    const { audit } = this.deps;
    const match = KEY.exec(presented.trim());
    const apiKey = match ? await this.deps.apiKeys.findByPrefix(em, match[1]!) : null;
    const now = this.deps.clock();
    // Compare even when no row matched so timing says nothing about which prefixes exist.
    const secretOk = constantTimeEqual(apiKey?.secretHash ?? '0'.repeat(64), sha256Hex(presented.trim()));
    const usable = apiKey && secretOk && !apiKey.revokedAt && (!apiKey.expiresAt || apiKey.expiresAt > now);
    const grant = usable ? await this.deps.roles.grantOf(em, apiKey.user.id, apiKey.organizationId) : null;
    if (!apiKey || !usable || !grant) {
      if (apiKey) {
        audit.record(em, {
          type: 'apikey.rejected',
          success: false,
          organizationId: apiKey.organizationId,
          target: { type: 'ApiKey', id: apiKey.id },
          meta,
          details: {
            reason: !secretOk
              ? 'bad-secret'
              : apiKey.revokedAt
                ? 'revoked'
                : !grant && usable
                  ? 'not-a-member'
                  : 'expired',
          },
        });
        await em.flush();
      }
      throw new InvalidCredentialsError('Invalid API key');
    }
    const keyPermissions = new Set<string>();
    for (const roleName of apiKey.roles) {
      const role = await this.deps.roleRepository.findByName(em, apiKey.organizationId, roleName);
      if (role) for (const p of permissionsOf(role)) keyPermissions.add(p);
    }
    const perms = grant.permissions.filter((p) => keyPermissions.has(p));
    apiKey.lastUsedAt = now;
    const issued = await this.deps.tokens.issue(em, {
      sub: apiKey.user.id,
      org: apiKey.organizationId,
      roles: apiKey.roles,
      perms,
      kind: 'api_key',
      akid: apiKey.id,
    });
    audit.record(em, {
      type: 'apikey.used',
      success: true,
      organizationId: apiKey.organizationId,
      actor: { id: apiKey.user.id, kind: 'api_key' },
      target: { type: 'ApiKey', id: apiKey.id },
      meta,
    });
    await em.flush();
    return { ...issued, apiKey };
  }

  /** Revokes a key of the actor's organization (one's own always; others' with `apikeys:manage`). */
  async revoke({ em, viewer: actor }: ActorScope, id: string, meta?: RequestMeta): Promise<ApiKey> {
    const apiKey = await this.byId(em, actor.organizationId, id);
    if (apiKey.user.id !== actor.id && !actor.permissions.includes('apikeys:manage')) {
      throw new PermissionDeniedError('You can revoke only your own keys');
    }
    if (!apiKey.revokedAt) {
      apiKey.revokedAt = this.deps.clock();
      this.deps.audit.record(em, {
        type: 'apikey.revoked',
        success: true,
        organizationId: actor.organizationId,
        actor,
        target: { type: 'ApiKey', id: apiKey.id },
        meta,
        details: { prefix: apiKey.prefix },
      });
      await em.flush();
      await this.deps.revocations.revoke(em, 'api_key', [apiKey.id], 'apikey-revoked');
    }
    return apiKey;
  }

  /** Revokes every key of `userId` in the organization (the member left: keys must not revive on re-invitation). */
  async revokeAllOf(em: EntityManager, userId: string, organizationId: string): Promise<number> {
    const ids = await this.deps.apiKeys.unrevokedIds(em, userId, organizationId);
    if (!ids.length) return 0;
    const count = await this.deps.apiKeys.revokeMany(em, ids, this.deps.clock());
    await this.deps.revocations.revoke(em, 'api_key', ids, 'membership-removed');
    return count;
  }

  /** The key with this id in the organization. */
  async byId(em: EntityManager, organizationId: string, id: string): Promise<ApiKey> {
    const apiKey = await this.deps.apiKeys.findInOrganization(em, organizationId, id);
    if (!apiKey) throw new EntityNotFoundError('ApiKey', id);
    return apiKey;
  }

  /** `apiKeys`: a member's keys (the viewer's own, or anyone's with apikeys:manage); default all with apikeys:manage, else the viewer's. */
  visible({ em, viewer }: ActorScope, userId?: string | null): Promise<ApiKey[]> {
    const manager = viewer.permissions.includes('apikeys:manage');
    if (userId && userId !== viewer.id && !manager)
      throw new PermissionDeniedError('Missing permission apikeys:manage');
    return this.deps.apiKeys.list(em, viewer.organizationId, userId ?? (manager ? null : viewer.id));
  }

  /** A key for a federation reference: the viewer's own or, with apikeys:manage, any of its organization; else null. */
  async referenced({ em, viewer }: ActorScope, id: string): Promise<ApiKey | null> {
    const key = await this.deps.apiKeys.findInOrganization(em, viewer.organizationId, id);
    return key && (key.user.id === viewer.id || viewer.permissions.includes('apikeys:manage')) ? key : null;
  }

  /** Neither revoked nor expired now. */
  isActive(apiKey: ApiKey): boolean {
    return !apiKey.revokedAt && (!apiKey.expiresAt || apiKey.expiresAt > this.deps.clock());
  }
}
