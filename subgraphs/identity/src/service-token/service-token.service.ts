import type { EntityManager } from '@mikro-orm/core';
import type { AccessTokenIssuer, IssuedAccessToken } from '../token/access-token.issuer';
import type { OrganizationRepository } from '../organization/organization.repository';
import type { AuditService } from '../audit/audit.service';
import { isPermission } from '../permission/permission.catalog';
import type { RequestMeta } from '../shared/actor.types';
import { InvalidCredentialsError, InvalidInputError } from '../shared/identity.errors';
import { constantTimeEqual } from '../shared/secret.util';

export interface ServiceTokenRequest {
  service: unknown;
  organizationId: unknown;
  permissions: unknown;
}

const SERVICE = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Tokens for platform services acting in background jobs (`kind: 'service'`, `sub: 'service:<name>'`),
 * granted to callers that present the shared service secret.
 */
export class ServiceTokenService {
  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly tokens: AccessTokenIssuer,
    private readonly audit: AuditService,
    private readonly serviceSecret: string | null,
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
}
