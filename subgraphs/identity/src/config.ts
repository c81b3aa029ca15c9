import type { JWK } from 'jose';
import type { BaseServiceConfig, Env } from '../../../lib/src/index';
import {
  ConfigError,
  getEnvList,
  getEnvNum,
  getEnvStr,
  loadBaseConfig,
  parseKeyEncryptionKeys,
} from '../../../lib/src/index';
import { isTrustedProxyEntry } from './shared/client-address';
import type { IdentitySettings, OrganizationCreationPolicy } from './shared/identity.settings';
import type { ExternalProviderSettings } from './external-idp/external-provider.settings';
import { PASSWORD_MAX, PASSWORD_MIN } from './user/user.policy';
import { SERVICES } from '../../../lib/contracts/services';

export const SERVICE_NAME = 'identity';
export const DEFAULT_PORT = SERVICES.identity.port;

/** Identity's settings: the shared ones plus token, lockout, provider and first-run settings. */
export interface Config extends BaseServiceConfig {
  identity: IdentitySettings;
  /** Prefix of identity's Redis keys (the per-address credential throttle). */
  redisPrefix: string;
  adminEmail: string | null;
  adminPassword: string | null;
}

/**
 * Reads identity's configuration from `env` (the only place that does).
 * - `AIC_JWT_ISSUER` / `AIC_JWT_AUDIENCE`: `iss` / `aud` of the tokens it signs (defaults aic-identity / aic-platform)
 * - `AIC_ACCESS_TOKEN_TTL_SECONDS` (900), `AIC_SESSION_TTL_DAYS` (30), `AIC_KEY_ROTATION_DAYS` (30; 0 = only by hand)
 * - `AIC_SIGNING_KEYS`: JSON array of private Ed25519 JWKs with `kid` (first signs); unset = generated and kept in the database
 * - `AIC_KEY_ENCRYPTION_KEY`: base64 of 32 random bytes, or "current,previous" while rotating: encrypts the
 *   private signing keys kept in the database (required in production; `npm start` generates one)
 * - `AIC_LOCKOUT_THRESHOLD` (5), `AIC_LOCKOUT_BASE_DELAY_SECONDS` (30), `AIC_LOCKOUT_MAX_DELAY_SECONDS` (900), `AIC_LOCKOUT_RESET_SECONDS` (86400)
 * - `AIC_OIDC_PROVIDERS`: JSON array of external providers (see ExternalProviderSettings)
 * - `AIC_ADMIN_EMAIL`, `AIC_ADMIN_PASSWORD`: the first run's owner (a password is generated when unset)
 * - `AIC_SERVICE_SECRET`: guards `POST /internal/service-token`
 * - `AIC_CREDENTIAL_FAILURES_PER_ADDRESS` (100) failed sign-ins, refreshes, key and token exchanges per
 *   client address in `AIC_CREDENTIAL_FAILURE_WINDOW_SECONDS` (600), across accounts; then RATE_LIMITED
 * - `AIC_TRUSTED_PROXIES` (`loopback,private`): peers whose `x-forwarded-for` names the client
 *   (`loopback`, `private`, CIDRs, addresses; `none` trusts no one)
 * - `AIC_ORGANIZATION_CREATION` (`admins`): who may call createOrganization: `admins` (org:manage), `anyone`, `nobody`
 * - `AIC_REVOCATION_CHANNEL` (`aic:revocations`): Redis channel revocations are published on (with `REDIS_URL`)
 * - `AIC_IDENTITY_REDIS_PREFIX` (`aic-identity`): prefix of identity's Redis keys
 * @returns the typed config; throws ConfigError naming the variable on a malformed value
 */
export function loadConfig(env: Env = process.env): Config {
  const base = loadBaseConfig(env, SERVICE_NAME, DEFAULT_PORT);
  const ttl = positive(env, 'AIC_ACCESS_TOKEN_TTL_SECONDS', 900);
  const rotationDays = getEnvNum(env, 'AIC_KEY_ROTATION_DAYS', 30);
  if (rotationDays < 0) throw new ConfigError('AIC_KEY_ROTATION_DAYS must be 0 (off) or more');
  const adminPassword = getEnvStr(env, 'AIC_ADMIN_PASSWORD') ?? null;
  if (adminPassword !== null && (adminPassword.length < PASSWORD_MIN || adminPassword.length > PASSWORD_MAX)) {
    throw new ConfigError(`AIC_ADMIN_PASSWORD must be ${PASSWORD_MIN}-${PASSWORD_MAX} characters`);
  }
  const lockout = {
    threshold: positive(env, 'AIC_LOCKOUT_THRESHOLD', 5),
    baseDelaySeconds: positive(env, 'AIC_LOCKOUT_BASE_DELAY_SECONDS', 30),
    maxDelaySeconds: positive(env, 'AIC_LOCKOUT_MAX_DELAY_SECONDS', 900),
    resetAfterSeconds: positive(env, 'AIC_LOCKOUT_RESET_SECONDS', 86_400),
  };
  if (lockout.maxDelaySeconds < lockout.baseDelaySeconds)
    throw new ConfigError('AIC_LOCKOUT_MAX_DELAY_SECONDS must be at least AIC_LOCKOUT_BASE_DELAY_SECONDS');
  const proxies = getEnvList(env, 'AIC_TRUSTED_PROXIES', ['loopback', 'private']);
  const trustedProxies = proxies.length === 1 && proxies[0] === 'none' ? [] : proxies;
  const wrong = trustedProxies.find((p) => !isTrustedProxyEntry(p));
  if (wrong !== undefined)
    throw new ConfigError(`AIC_TRUSTED_PROXIES: "${wrong}" is not loopback, private, none, an address or a CIDR`);
  const organizationCreation = getEnvStr(env, 'AIC_ORGANIZATION_CREATION', 'admins');
  if (!['admins', 'anyone', 'nobody'].includes(organizationCreation))
    throw new ConfigError('AIC_ORGANIZATION_CREATION must be admins, anyone or nobody');
  const keyEncryptionKeys = parseKeyEncryptionKeys(getEnvStr(env, 'AIC_KEY_ENCRYPTION_KEY'), 'AIC_KEY_ENCRYPTION_KEY');
  if (base.production && keyEncryptionKeys.length === 0) {
    throw new ConfigError(
      'AIC_KEY_ENCRYPTION_KEY is required in production: identity encrypts the private signing keys it keeps in its database with it (base64 of 32 random bytes, e.g. `openssl rand -base64 32`, from a Kubernetes Secret)',
    );
  }
  return {
    ...base,
    redisPrefix: getEnvStr(env, 'AIC_IDENTITY_REDIS_PREFIX', 'aic-identity'),
    adminEmail: getEnvStr(env, 'AIC_ADMIN_EMAIL') ?? null,
    adminPassword,
    identity: {
      issuer: base.auth.issuer,
      audience: base.auth.audience,
      accessTokenTtlSeconds: ttl,
      sessionTtlSeconds: positive(env, 'AIC_SESSION_TTL_DAYS', 30) * 86_400,
      keyRotationSeconds: rotationDays === 0 ? null : rotationDays * 86_400,
      signingKeys: parseSigningKeys(getEnvStr(env, 'AIC_SIGNING_KEYS')),
      keyEncryptionKeys,
      lockout,
      externalProviders: parseProviders(getEnvStr(env, 'AIC_OIDC_PROVIDERS')),
      serviceSecret: base.serviceSecret ?? null,
      credentialThrottle: {
        failuresPerAddress: positive(env, 'AIC_CREDENTIAL_FAILURES_PER_ADDRESS', 100),
        windowSeconds: positive(env, 'AIC_CREDENTIAL_FAILURE_WINDOW_SECONDS', 600),
      },
      trustedProxies,
      organizationCreation: organizationCreation as OrganizationCreationPolicy,
    },
  };
}

function positive(env: Env, name: string, fallback: number): number {
  const value = getEnvNum(env, name, fallback);
  if (!(value > 0)) throw new ConfigError(`${name} must be greater than 0`);
  return value;
}

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`${name} must be JSON`);
  }
}

/** Private Ed25519 JWKs, each with a `kid`; undefined when unset. */
export function parseSigningKeys(text: string | undefined): JWK[] | undefined {
  if (!text) return undefined;
  const keys = parseJson('AIC_SIGNING_KEYS', text);
  if (!Array.isArray(keys) || keys.length === 0)
    throw new ConfigError('AIC_SIGNING_KEYS must be a non-empty JSON array of JWKs');
  keys.forEach((k: Record<string, unknown>, i) => {
    if (
      k?.kty !== 'OKP' ||
      k.crv !== 'Ed25519' ||
      typeof k.d !== 'string' ||
      typeof k.x !== 'string' ||
      typeof k.kid !== 'string' ||
      !k.kid
    ) {
      throw new ConfigError(
        `AIC_SIGNING_KEYS[${i}] must be a private Ed25519 JWK (kty OKP, crv Ed25519, x, d) with a kid`,
      );
    }
  });
  return keys as JWK[];
}

/** External OIDC providers; [] when unset. */
export function parseProviders(text: string | undefined): ExternalProviderSettings[] {
  if (!text) return [];
  const list = parseJson('AIC_OIDC_PROVIDERS', text);
  if (!Array.isArray(list)) throw new ConfigError('AIC_OIDC_PROVIDERS must be a JSON array');
  const names = new Set<string>();
  return list.map((p: Record<string, unknown>, i) => {
    const where = `AIC_OIDC_PROVIDERS[${i}]`;
    for (const field of ['name', 'issuer', 'jwksUrl', 'audience', 'organizationSlug']) {
      if (typeof p?.[field] !== 'string' || !p[field]) throw new ConfigError(`${where}.${field} is required`);
    }
    if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(p.name as string))
      throw new ConfigError(`${where}.name must be lower-case letters, digits and dashes`);
    if (names.has(p.name as string)) throw new ConfigError(`${where}.name "${String(p.name)}" is used twice`);
    names.add(p.name as string);
    let url: URL;
    try {
      url = new URL(p.jwksUrl as string);
    } catch {
      throw new ConfigError(`${where}.jwksUrl must be a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new ConfigError(`${where}.jwksUrl must be http(s)`);
    const mapping = p.roleMapping ?? {};
    if (
      typeof mapping !== 'object' ||
      Array.isArray(mapping) ||
      Object.values(mapping as object).some((v) => !Array.isArray(v) || v.some((r) => typeof r !== 'string'))
    ) {
      throw new ConfigError(`${where}.roleMapping must map claim values to arrays of role names`);
    }
    const strings = (field: string): string[] | undefined => {
      const v = p[field];
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
        throw new ConfigError(`${where}.${field} must be an array of strings`);
      return v as string[];
    };
    const optional = (field: string): string | undefined =>
      typeof p[field] === 'string' ? (p[field] as string) : undefined;
    return {
      name: p.name as string,
      issuer: p.issuer as string,
      jwksUrl: p.jwksUrl as string,
      audience: p.audience as string,
      organizationSlug: p.organizationSlug as string,
      algorithms: strings('algorithms'),
      emailClaim: optional('emailClaim'),
      nameClaim: optional('nameClaim'),
      roleClaim: optional('roleClaim'),
      roleMapping: mapping as Record<string, string[]>,
      defaultRoles: strings('defaultRoles'),
      linkByEmail: p.linkByEmail === true,
    };
  });
}
