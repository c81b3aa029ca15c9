import { SecretBox } from '../../../lib/src/index';
import type { Clock } from '../../../lib/src/kit/clock';
import { systemClock } from '../../../lib/src/kit/clock';
import type { IdentitySettings } from './shared/identity.settings';
import { PasswordHasher } from './auth/password.hasher';
import { CredentialThrottle } from './auth/credential-throttle';
import { AuthService } from './auth/auth.service';
import { SigningKeyRing } from './signing-key/signing-key.ring';
import { SigningKeyRepository } from './signing-key/signing-key.repository';
import { AccessTokenIssuer } from './token/access-token.issuer';
import { AccessTokenVerifier } from './token/access-token.verifier';
import { ExternalJwksCache } from './external-idp/external-jwks.cache';
import { ExternalIdentityService } from './external-idp/external-identity.service';
import { AuditRepository } from './audit/audit.repository';
import { AuditService, type SecurityEventObserver } from './audit/audit.service';
import { RevocationHub } from './revocation/revocation.hub';
import { RevocationRepository } from './revocation/revocation.repository';
import { RevocationService } from './revocation/revocation.service';
import { RoleRepository } from './role/role.repository';
import { RoleService } from './role/role.service';
import { OrganizationRepository } from './organization/organization.repository';
import { OrganizationService } from './organization/organization.service';
import { UserRepository } from './user/user.repository';
import { UserService } from './user/user.service';
import { SessionRepository } from './session/session.repository';
import { SessionService } from './session/session.service';
import { ApiKeyRepository } from './api-key/api-key.repository';
import { ApiKeyService } from './api-key/api-key.service';
import { ServiceTokenService } from './service-token/service-token.service';
import { FirstRunService } from './bootstrap/first-run.service';

/** Identity's services, built once per process and shared by every request (`ctx.services`). */
export interface IdentityServices {
  /** The access-token signing keys (JWKS, rotation, sealing at rest). */
  keys: SigningKeyRing;
  issuer: AccessTokenIssuer;
  /** Verifies identity's own tokens against the key ring (no HTTP round trip). */
  verifier: AccessTokenVerifier;
  audit: AuditService;
  revocations: RevocationService;
  roles: RoleService;
  organizations: OrganizationService;
  users: UserService;
  sessions: SessionService;
  auth: AuthService;
  apiKeys: ApiKeyService;
  external: ExternalIdentityService;
  serviceTokens: ServiceTokenService;
  firstRun: FirstRunService;
}

/** The process-wide dependencies the services are built from (server.ts makes them). */
export interface IdentityServiceDeps {
  settings: IdentitySettings;
  /** @default the system clock */
  clock?: Clock;
  /** Revoked sessions and API keys of this process. @default one without Redis (this process only) */
  hub?: RevocationHub;
  /** Failed credential attempts per client address. @default counted in this process's memory */
  throttle?: CredentialThrottle;
  /** Told of every security event (server.ts counts them for Prometheus). */
  onSecurityEvent?: SecurityEventObserver;
}

/** The composition root: every repository and service of identity, each built once, wired by constructor. */
export function createIdentityServices(deps: IdentityServiceDeps): IdentityServices {
  const { settings } = deps;
  const clock = deps.clock ?? systemClock;
  const hub = deps.hub ?? new RevocationHub({ channel: 'aic:revocations' }, clock);
  const throttle = deps.throttle ?? new CredentialThrottle(settings.credentialThrottle);
  const hasher = new PasswordHasher();

  const userRepository = new UserRepository();
  const organizationRepository = new OrganizationRepository();
  const roleRepository = new RoleRepository();
  const sessionRepository = new SessionRepository();
  const apiKeyRepository = new ApiKeyRepository();

  const keys = new SigningKeyRing(
    {
      accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
      rotationSeconds: settings.keyRotationSeconds,
      configuredKeys: settings.signingKeys,
      keyEncryption: new SecretBox(settings.keyEncryptionKeys ?? []),
    },
    clock,
    new SigningKeyRepository(),
  );
  const tokenSettings = {
    issuer: settings.issuer,
    audience: settings.audience,
    accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
  };
  const issuer = new AccessTokenIssuer(keys, tokenSettings, clock, (org, user) =>
    hub.list.memberIssuedBefore(org, user),
  );
  const audit = new AuditService(new AuditRepository(), clock, deps.onSecurityEvent);
  const revocations = new RevocationService(new RevocationRepository(), hub, settings.accessTokenTtlSeconds, clock);
  const roles = new RoleService(roleRepository, organizationRepository, audit, revocations);
  const sessions = new SessionService(
    sessionRepository,
    audit,
    { sessionTtlSeconds: settings.sessionTtlSeconds },
    clock,
    revocations,
  );
  const apiKeys = new ApiKeyService({
    apiKeys: apiKeyRepository,
    organizations: organizationRepository,
    roles,
    roleRepository,
    tokens: issuer,
    audit,
    revocations,
    throttle,
    clock,
  });
  const organizations = new OrganizationService({
    organizations: organizationRepository,
    users: userRepository,
    roles,
    roleRepository,
    sessions,
    apiKeys,
    audit,
    creationPolicy: settings.organizationCreation,
  });
  const users = new UserService({
    users: userRepository,
    organizationRepository,
    organizations,
    sessions,
    hasher,
    audit,
    throttle,
  });
  const external = new ExternalIdentityService({
    users: userRepository,
    organizations: organizationRepository,
    roles: roleRepository,
    providers: settings.externalProviders,
    jwks: new ExternalJwksCache(),
    audit,
    clock,
  });
  return {
    keys,
    issuer,
    verifier: new AccessTokenVerifier(keys, tokenSettings, clock),
    audit,
    revocations,
    roles,
    organizations,
    users,
    sessions,
    auth: new AuthService({
      users: userRepository,
      organizationRepository,
      organizations,
      hasher,
      lockout: settings.lockout,
      tokens: issuer,
      sessions,
      roles,
      external,
      audit,
      throttle,
      clock,
    }),
    apiKeys,
    external,
    serviceTokens: new ServiceTokenService(organizationRepository, issuer, audit, settings.serviceSecret, {
      users: userRepository,
      roles,
    }),
    firstRun: new FirstRunService({ keys, organizationRepository, organizations, users }),
  };
}
