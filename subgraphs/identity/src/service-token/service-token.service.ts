import type { EntityManager } from '@mikro-orm/core';
import type { AccessTokenIssuer, IssuedAccessToken } from '../token/access-token.issuer';
import type { OrganizationRepository } from '../organization/organization.repository';
import type { RoleService } from '../role/role.service';
import type { UserRepository } from '../user/user.repository';
import type { AuditService } from '../audit/audit.service';
import { isPermission } from '../permission/permission.catalog';
import type { RequestMeta } from '../shared/actor.types';
import { InvalidCredentialsError, InvalidInputError, PermissionDeniedError } from '../shared/identity.errors';
import { constantTimeEqual } from '../shared/secret.util';

export interface ServiceTokenRequest {
  service: unknown;
  organizationId: unknown;
  permissions: unknown;
  /** The user a job acts for: the token is then delegated (subject the user, `act` the service). */
  onBehalfOf?: unknown;
}

/** Who may be acted for: a member of the organization, not disabled, holding every permission asked for. */
export interface DelegationDeps {
  users: UserRepository;
  roles: Pick<RoleService, 'grantOf'>;
}

const SERVICE = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Tokens for platform services acting in background jobs, granted to callers that present the shared
 * service secret: the service's own (`kind: 'service'`, `sub: 'service:<name>'`), or — with
 * `onBehalfOf` — a delegated token for the job of a user (on-behalf-of, RFC 8693): subject the user,
 * `act: { sub: 'service:<name>' }`, exactly the permissions asked for, issued only while the user is a
 * member holding all of them (a role taken away revokes it like the user's own tokens). Both the user
 * and the service are in the audit event.
 */
export class ServiceTokenService {
  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly tokens: AccessTokenIssuer,
    private readonly audit: AuditService,
    private readonly serviceSecret: string | null,
    private readonly delegation: DelegationDeps,
  ) {}

  /** Validates the secret and the request, then signs a token with exactly the requested permissions. */
  async issue(
    em: EntityManager,
    presentedSecret: string | undefined,
    request: ServiceTokenRequest,
    meta?: RequestMeta,
  ): Promise<IssuedAccessToken> {
    if (!this.serviceSecret || !presentedSecret || !constantTimeEqual(presentedSecret, this.serviceSecret)) {
      this.audit.record(em, {
        type: 'service-token.rejected',
        success: false,
        meta,
        details: { service: typeof request.service === 'string' ? request.service.slice(0, 63) : null },
      });
      await em.flush();
      throw new InvalidCredentialsError('Invalid service secret');
    }
    const { service, organizationId, permissions } = request;
    if (typeof service !== 'string' || !SERVICE.test(service))
      throw new InvalidInputError('service', 'service must be a lower-case service name');
    if (typeof organizationId !== 'string' || !(await this.organizations.exists(em, organizationId))) {
      throw new InvalidInputError('organizationId', 'Unknown organization');
    }
    if (!Array.isArray(permissions) || permissions.some((p) => typeof p !== 'string' || !isPermission(p))) {
      throw new InvalidInputError('permissions', 'permissions must be a list of platform permissions');
    }
    const perms = [...new Set(permissions as string[])].sort();
    if (request.onBehalfOf !== undefined && request.onBehalfOf !== null)
      return this.delegate(em, service, organizationId, perms, request.onBehalfOf, meta);
    const issued = await this.tokens.issue(em, {
      sub: `service:${service}`,
      org: organizationId,
      roles: [],
      perms,
      kind: 'service',
    });
    this.audit.record(em, {
      type: 'service-token.issued',
      success: true,
      organizationId,
      actor: { id: `service:${service}`, kind: 'service' },
      meta,
      details: { permissions: perms },
    });
    await em.flush();
    return issued;
  }

  private async delegate(
    em: EntityManager,
    service: string,
    organizationId: string,
    perms: string[],
    onBehalfOf: unknown,
    meta: RequestMeta | undefined,
  ): Promise<IssuedAccessToken> {
    if (typeof onBehalfOf !== 'string' || onBehalfOf.length > 64)
      throw new InvalidInputError('onBehalfOf', 'onBehalfOf must be a user id');
    const actor = { id: `service:${service}`, kind: 'service' as const };
    const refuse = async (reason: string, missing: string[] = []): Promise<never> => {
      this.audit.record(em, {
        type: 'service-token.rejected',
        success: false,
        organizationId,
        actor,
        target: { type: 'User', id: onBehalfOf },
        meta,
        details: { service, onBehalfOf, reason, missing },
      });
      await em.flush();
      throw new PermissionDeniedError(reason);
    };
    const user = await this.delegation.users.findById(em, onBehalfOf);
    const grant = user && !user.disabled ? await this.delegation.roles.grantOf(em, user.id, organizationId) : null;
    if (!user || !grant)
      return refuse('The user who started this work is no longer an active member of the organization');
    const held = new Set(grant.permissions);
    const missing = perms.filter((p) => !held.has(p));
    if (missing.length > 0)
      return refuse(`The user who started this work lacks the permission ${missing.join(', ')}`, missing);
    const issued = await this.tokens.issue(em, {
      sub: user.id,
      org: organizationId,
      roles: [],
      perms,
      kind: 'user',
      act: `service:${service}`,
    });
    this.audit.record(em, {
      type: 'service-token.issued',
      success: true,
      organizationId,
      actor,
      target: { type: 'User', id: user.id },
      meta,
      details: { permissions: perms, onBehalfOf: user.id },
    });
    await em.flush();
    return issued;
  }
}
