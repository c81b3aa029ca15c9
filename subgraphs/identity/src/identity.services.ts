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

/** The long-lived parts: settings, clock, hasher, key ring, caches. One per process. */
export interface IdentityRuntime {
  settings: IdentitySettings;
  clock: Clock;
  hasher: PasswordHasher;
  keys: SigningKeyRing;
  externalJwks: ExternalJwksCache;
  issuer: AccessTokenIssuer;
  verifier: AccessTokenVerifier;
  onSecurityEvent?: SecurityEventObserver;
}

/** Builds the long-lived parts from settings. */
export function createIdentityRuntime(settings: IdentitySettings, clock: Clock = () => new Date(), onSecurityEvent?: SecurityEventObserver): IdentityRuntime {
  const keys = new SigningKeyRing(
    { accessTokenTtlSeconds: settings.accessTokenTtlSeconds, rotationSeconds: settings.keyRotationSeconds, configuredKeys: settings.signingKeys, keyEncryption: new SecretBox(settings.keyEncryptionKeys ?? []) },
    clock,
  );
  const tokenSettings = { issuer: settings.issuer, audience: settings.audience, accessTokenTtlSeconds: settings.accessTokenTtlSeconds };
  return {
    settings,
    clock,
    hasher: new PasswordHasher(),
    keys,
    externalJwks: new ExternalJwksCache(),
    issuer: new AccessTokenIssuer(keys, tokenSettings, clock),
    verifier: new AccessTokenVerifier(keys, tokenSettings, clock),
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
}

/** Wires the services over `em` (fork it per request). */
export function createIdentityServices(em: EntityManager, runtime: IdentityRuntime): IdentityServices {
  const { settings, clock, hasher, issuer } = runtime;
  const audit = new AuditService(em, clock, runtime.onSecurityEvent);
  const roles = new RoleService(em, audit);
  const organizations = new OrganizationService(em, roles, audit);
  const users = new UserService(em, hasher, organizations, audit);
  const sessions = new SessionService(em, audit, { sessionTtlSeconds: settings.sessionTtlSeconds }, clock);
  const auth = new AuthService(em, hasher, settings.lockout, issuer, sessions, roles, organizations, audit, clock);
  const apiKeys = new ApiKeyService(em, roles, users, issuer, audit, clock);
  const external = new ExternalIdentityService(em, settings.externalProviders, runtime.externalJwks, audit, clock);
  const serviceTokens = new ServiceTokenService(em, issuer, audit, settings.serviceSecret);
  return { em, audit, roles, organizations, users, sessions, auth, apiKeys, external, serviceTokens };
}
