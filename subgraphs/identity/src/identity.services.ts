import type { EntityManager } from '@mikro-orm/core';
import { SecretBox } from '../../../lib/src/index';
import type { IdentitySettings } from './shared/identity.settings';
import type { Clock } from './shared/actor.types';
import { PasswordHasher } from './auth/password.hasher';
import { SigningKeyRing } from './signing-key/signing-key.ring';
import { ExternalJwksCache } from './external-idp/external-jwks.cache';
import { AccessTokenIssuer } from './token/access-token.issuer';
import { AccessTokenVerifier } from './token/access-token.verifier';
import { AuditService, type SecurityEventObserver } from './audit/audit.service';
import { RoleService } from './role/role.service';
import { OrganizationService } from './organization/organization.service';
import { UserService } from './user/user.service';
import { SessionService } from './session/session.service';
import { AuthService } from './auth/auth.service';
import { ApiKeyService } from './api-key/api-key.service';
import { ExternalIdentityService } from './external-idp/external-identity.service';
import { ServiceTokenService } from './service-token/service-token.service';
import { RevocationHub } from './revocation/revocation.hub';
import { RevocationService } from './revocation/revocation.service';
import { CredentialThrottle } from './auth/credential-throttle';
import type { BlockList } from 'node:net';
import { trustedProxies } from './shared/client-address';

/** The long-lived parts: settings, clock, hasher, key ring, caches. One per process. */
export interface IdentityRuntime {
  settings: IdentitySettings;
  clock: Clock;
  hasher: PasswordHasher;
  keys: SigningKeyRing;
  externalJwks: ExternalJwksCache;
  issuer: AccessTokenIssuer;
  verifier: AccessTokenVerifier;
  /** Revoked sessions and API keys of this process: its own verifier reads them, its stream serves them. */
  revocations: RevocationHub;
  /** Failed credential attempts per client address. */
  throttle: CredentialThrottle;
  /** Peers whose `x-forwarded-for` is believed. */
  proxies: BlockList;
  onSecurityEvent?: SecurityEventObserver;
}

/**
 * Builds the long-lived parts from settings. Without `shared`, revocations and the credential
 * throttle stay in this process (server.ts gives Redis-backed ones when REDIS_URL is set).
 */
export function createIdentityRuntime(
  settings: IdentitySettings,
  clock: Clock = () => new Date(),
  onSecurityEvent?: SecurityEventObserver,
  shared: { revocations?: RevocationHub; throttle?: CredentialThrottle } = {},
): IdentityRuntime {
  const keys = new SigningKeyRing(
    { accessTokenTtlSeconds: settings.accessTokenTtlSeconds, rotationSeconds: settings.keyRotationSeconds, configuredKeys: settings.signingKeys, keyEncryption: new SecretBox(settings.keyEncryptionKeys ?? []) },
    clock,
  );
  const tokenSettings = { issuer: settings.issuer, audience: settings.audience, accessTokenTtlSeconds: settings.accessTokenTtlSeconds };
  const revocations = shared.revocations ?? new RevocationHub({ channel: 'aic:revocations' }, clock);
  return {
    settings,
    clock,
    hasher: new PasswordHasher(),
    keys,
    externalJwks: new ExternalJwksCache(),
    issuer: new AccessTokenIssuer(keys, tokenSettings, clock, (org, user) => revocations.list.memberIssuedBefore(org, user)),
    verifier: new AccessTokenVerifier(keys, tokenSettings, clock),
    revocations,
    throttle: shared.throttle ?? new CredentialThrottle(settings.credentialThrottle),
    proxies: trustedProxies(settings.trustedProxies),
    onSecurityEvent,
  };
}

/** The per-request services, all sharing one EntityManager fork. */
export interface IdentityServices {
  em: EntityManager;
  audit: AuditService;
  roles: RoleService;
  organizations: OrganizationService;
  users: UserService;
  sessions: SessionService;
  auth: AuthService;
  apiKeys: ApiKeyService;
  external: ExternalIdentityService;
  serviceTokens: ServiceTokenService;
  revocations: RevocationService;
  throttle: CredentialThrottle;
  organizationCreation: IdentitySettings['organizationCreation'];
}

/** Wires the services over `em` (fork it per request). */
export function createIdentityServices(em: EntityManager, runtime: IdentityRuntime): IdentityServices {
  const { settings, clock, hasher, issuer } = runtime;
  const audit = new AuditService(em, clock, runtime.onSecurityEvent);
  const revocations = new RevocationService(em, runtime.revocations, settings.accessTokenTtlSeconds, clock);
  const roles = new RoleService(em, audit, revocations);
  const organizations = new OrganizationService(em, roles, audit);
  const users = new UserService(em, hasher, organizations, audit);
  const sessions = new SessionService(em, audit, { sessionTtlSeconds: settings.sessionTtlSeconds }, clock, revocations);
  const auth = new AuthService(em, hasher, settings.lockout, issuer, sessions, roles, organizations, audit, clock);
  const apiKeys = new ApiKeyService(em, roles, users, issuer, audit, clock, revocations);
  const external = new ExternalIdentityService(em, settings.externalProviders, runtime.externalJwks, audit, clock);
  const serviceTokens = new ServiceTokenService(em, issuer, audit, settings.serviceSecret);
  return { em, audit, roles, organizations, users, sessions, auth, apiKeys, external, serviceTokens, revocations, throttle: runtime.throttle, organizationCreation: settings.organizationCreation };
}
