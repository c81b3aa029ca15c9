import type { JWK } from 'jose';
import type { KeyEncryptionKey } from '../../../../lib/src/index';
import type { LockoutPolicy } from '../auth/lockout.policy';
import type { CredentialThrottleSettings } from '../auth/credential-throttle';
import type { ExternalProviderSettings } from '../external-idp/external-provider.settings';

/** Everything identity's services need to know, built by config.ts from the environment. */
export interface IdentitySettings {
  /** `iss` of access tokens. */
  issuer: string;
  /** `aud` of access tokens. */
  audience: string;
  accessTokenTtlSeconds: number;
  /** Absolute lifetime of a session and its refresh tokens. */
  sessionTtlSeconds: number;
  /** Age at which the signing key is rotated automatically; null: only on demand. */
  keyRotationSeconds: number | null;
  /** Private Ed25519 JWKs from configuration; when set, database keys are not used. */
  signingKeys?: JWK[];
  /** Encrypt the private keys kept in the database (current first); none: kept as they are (outside production only). */
  keyEncryptionKeys?: KeyEncryptionKey[];
  lockout: LockoutPolicy;
  externalProviders: ExternalProviderSettings[];
  /** Secret services present to `POST /internal/service-token`; null disables the route. */
  serviceSecret: string | null;
  /** Failed credential attempts allowed per client address (across accounts) in a window. */
  credentialThrottle: CredentialThrottleSettings;
  /** Peers trusted to report the client's address in `x-forwarded-for` (see `trustedProxies`). */
  trustedProxies: string[];
  /**
   * Who may create organizations: `admins` (default: members holding `org:manage` where their
   * token is scoped, so a platform operator decides who founds tenants), `anyone` signed in
   * (self-service), or `nobody` (organizations only through operators' tooling).
   */
  organizationCreation: OrganizationCreationPolicy;
}

export type OrganizationCreationPolicy = 'admins' | 'anyone' | 'nobody';
