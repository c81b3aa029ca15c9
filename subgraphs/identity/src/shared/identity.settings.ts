import type { JWK } from 'jose';
import type { KeyEncryptionKey } from '../../../../lib/src/index';
import type { LockoutPolicy } from '../auth/lockout.policy';
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
}
