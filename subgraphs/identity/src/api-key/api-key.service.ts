import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { ApiKey } from './api-key.entity';
import { Role } from '../role/role.entity';
import type { RoleService } from '../role/role.service';
import { permissionsOf } from '../role/role.service';
import type { AccessTokenIssuer, IssuedAccessToken } from '../token/access-token.issuer';
import type { AuditService } from '../audit/audit.service';
import type { UserService } from '../user/user.service';
import type { Actor, Clock, RequestMeta } from '../shared/actor.types';
import { EntityNotFoundError, InvalidCredentialsError, InvalidInputError, PermissionDeniedError } from '../shared/identity.errors';
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
    private readonly em: EntityManager,
    private readonly roles: RoleService,
    private readonly users: UserService,
    private readonly tokens: AccessTokenIssuer,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly revocations: RevocationService,
  ) {}

  /** Creates a key and returns its secret; only the secret's sha256 is stored. */
  async create(actor: Actor, input: CreateApiKeyInput, meta?: RequestMeta): Promise<CreatedApiKey> {
    const name = input.name.trim();
    if (!name || name.length > 200) throw new InvalidInputError('name', 'Name must be 1-200 characters');
    if (input.expiresAt && input.expiresAt <= this.clock()) throw new InvalidInputError('expiresAt', 'expiresAt must be in the future');
    const userId = input.userId ?? actor.id;
    if (userId !== actor.id && !actor.permissions.includes('users:write')) {
      throw new PermissionDeniedError('Creating keys for another member needs users:write');
    }
    if (actor.kind !== 'user' && userId === actor.id) throw new PermissionDeniedError('Only a user can own an API key');
    const user = await this.users.inOrganization(actor.organizationId, userId);
    const grant = await this.roles.grantOf(user.id, actor.organizationId);
    const roleNames = [...new Set(input.roles ?? grant?.roles ?? [])].sort();
    if (roleNames.length === 0) throw new InvalidInputError('roles', 'A key needs at least one role');
    for (const roleName of roleNames) {
      const role = await this.roles.byName(actor.organizationId, roleName);
      this.roles.assertCanGrant(actor, permissionsOf(role), role.name);
    }
    const prefix = Array.from({ length: 12 }, () => ALPHANUM[randomInt(ALPHANUM.length)]).join('');
    const secret = `aic_${prefix}_${randomToken(32)}`;
    const apiKey = this.em.create(ApiKey, {
      organization: actor.organizationId,
      user,
      name,
      prefix,
      secretHash: sha256Hex(secret),
      roles: roleNames,
      createdById: actor.id,
      expiresAt: input.expiresAt ?? null,
    });
    this.em.persist(apiKey);
    this.audit.record({ type: 'apikey.created', success: true, organizationId: actor.organizationId, actor, target: { type: 'ApiKey', id: apiKey.id }, meta, details: { name, prefix, roles: roleNames, userId: user.id } });
    await this.em.flush();
    return { apiKey, secret };
  }

  /** Exchanges a key for an access token of kind `api_key` naming the key (`akid`). Every failure looks the same. */
  async authenticate(presented: string, meta?: RequestMeta): Promise<IssuedAccessToken & { apiKey: ApiKey }> {
    const match = KEY.exec(presented.trim());
    const apiKey = match ? await this.em.findOne(ApiKey, { prefix: match[1] }) : null;
    const now = this.clock();
    // Compare even when no row matched so timing says nothing about which prefixes exist.
    const secretOk = constantTimeEqual(apiKey?.secretHash ?? '0'.repeat(64), sha256Hex(presented.trim()));
    const usable = apiKey && secretOk && !apiKey.revokedAt && (!apiKey.expiresAt || apiKey.expiresAt > now);
    const grant = usable ? await this.roles.grantOf(apiKey.user.id, apiKey.organization.id) : null;
    if (!apiKey || !usable || !grant) {
      if (apiKey) {
        this.audit.record({ type: 'apikey.rejected', success: false, organizationId: apiKey.organization.id, target: { type: 'ApiKey', id: apiKey.id }, meta, details: { reason: !secretOk ? 'bad-secret' : apiKey.revokedAt ? 'revoked' : !grant && usable ? 'not-a-member' : 'expired' } });
        await this.em.flush();
      }
      throw new InvalidCredentialsError('Invalid API key');
    }
    const keyPermissions = new Set<string>();
    for (const roleName of apiKey.roles) {
      const role = await this.em.findOne(Role, { organization: apiKey.organization.id, name: roleName });
      if (role) for (const p of permissionsOf(role)) keyPermissions.add(p);
    }
    const perms = grant.permissions.filter((p) => keyPermissions.has(p));
    apiKey.lastUsedAt = now;
    const issued = await this.tokens.issue(this.em, { sub: apiKey.user.id, org: apiKey.organization.id, roles: apiKey.roles, perms, kind: 'api_key', akid: apiKey.id });
    this.audit.record({ type: 'apikey.used', success: true, organizationId: apiKey.organization.id, actor: { id: apiKey.user.id, kind: 'api_key' }, target: { type: 'ApiKey', id: apiKey.id }, meta });
    await this.em.flush();
    return { ...issued, apiKey };
  }

  /** Revokes a key of the actor's organization (one's own always; others' with `apikeys:manage`). */
  async revoke(actor: Actor, id: string, meta?: RequestMeta): Promise<ApiKey> {
    const apiKey = await this.byId(actor.organizationId, id);
    if (apiKey.user.id !== actor.id && !actor.permissions.includes('apikeys:manage')) {
      throw new PermissionDeniedError('You can revoke only your own keys');
    }
    if (!apiKey.revokedAt) {
      apiKey.revokedAt = this.clock();
      this.audit.record({ type: 'apikey.revoked', success: true, organizationId: actor.organizationId, actor, target: { type: 'ApiKey', id: apiKey.id }, meta, details: { prefix: apiKey.prefix } });
      await this.em.flush();
      await this.revocations.revoke('api_key', [apiKey.id], 'apikey-revoked');
    }
    return apiKey;
  }

  /** Revokes every key of `userId` in the organization (the member left: keys must not revive on re-invitation). */
  async revokeAllOf(userId: string, organizationId: string): Promise<number> {
    const ids = (await this.em.find(ApiKey, { user: userId, organization: organizationId, revokedAt: null }, { fields: ['id'] })).map((k) => k.id);
    if (!ids.length) return 0;
    const count = await this.em.nativeUpdate(ApiKey, { id: { $in: ids }, revokedAt: null }, { revokedAt: this.clock() });
    await this.revocations.revoke('api_key', ids, 'membership-removed');
    return count;
  }

  /** The key with this id in the organization. */
  async byId(organizationId: string, id: string): Promise<ApiKey> {
    const apiKey = await this.em.findOne(ApiKey, { id, organization: organizationId });
    if (!apiKey) throw new EntityNotFoundError('ApiKey', id);
    return apiKey;
  }

  /** Keys of the organization, optionally of one user, newest first. */
  list(organizationId: string, userId?: string | null): Promise<ApiKey[]> {
    return this.em.find(ApiKey, userId ? { organization: organizationId, user: userId } : { organization: organizationId }, { orderBy: { createdAt: 'desc', id: 'asc' } });
  }
}
