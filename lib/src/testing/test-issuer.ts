import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK, KeyLike } from 'jose';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { INTERNAL_ROUTES, routeUrl } from '../../contracts/routes';

export interface TestTokenClaims {
  sub?: string;
  org?: string;
  roles?: string[];
  perms?: string[];
  kind?: 'user' | 'api_key' | 'service';
  /** The acting service of a delegated token (`act.sub`). */
  act?: string;
  /** Seconds from now. @default 900 */
  expiresIn?: number;
}

export interface TestIssuer {
  /** Where its JWKS is served, for a service's `auth.jwksUrl`. */
  jwksUrl: string;
  /** Base URL; also answers `POST /internal/service-token` with `serviceSecret`. */
  url: string;
  issuer: string;
  audience: string;
  serviceSecret: string;
  /**
   * Signs a real access token (EdDSA, `typ: at+jwt`) with the given claims. A user token's permissions
   * are remembered as that user's (with `checkDelegation`, delegated tokens are refused beyond them).
   */
  issue(claims?: TestTokenClaims): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real token issuer for subgraph tests that do not start identity: an Ed25519 key, a JWKS HTTP
 * server on port 0 and identity's service-token route, signing tokens exactly as identity does.
 */
export async function startTestIssuer(
  opts: {
    issuer?: string;
    audience?: string;
    /**
     * Refuse a delegated token, as identity does, when its user lacks a permission asked for: the
     * user's permissions are those of the user tokens this issuer signed. Users it never saw get what
     * is asked either way. On by default, so a test user needs what a real user would.
     * @default true
     */
    checkDelegation?: boolean;
  } = {},
): Promise<TestIssuer> {
  const { privateKey, publicKey } = (await generateKeyPair('EdDSA', { crv: 'Ed25519' })) as {
    privateKey: KeyLike;
    publicKey: KeyLike;
  };
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const issuer = opts.issuer ?? 'aic-identity';
  const audience = opts.audience ?? 'aic-platform';
  const serviceSecret = randomUUID();
  const checkDelegation = opts.checkDelegation ?? true;
  // The permissions of the users it issued tokens to, per organization (for `checkDelegation`).
  const held = new Map<string, Set<string>>();
  const sign = (c: TestTokenClaims) =>
    new SignJWT({
      org: c.org ?? 'org-test',
      roles: c.roles ?? [],
      perms: c.perms ?? [],
      kind: c.kind ?? 'user',
      ...(c.act ? { act: { sub: c.act } } : {}),
    })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(c.sub ?? randomUUID())
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + (c.expiresIn ?? 900))
      .sign(privateKey);

  const server = http.createServer(
    (req, res) =>
      void (async () => {
        if (req.method === 'GET' && req.url === INTERNAL_ROUTES.jwks.path) {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ keys: [jwk] }));
          return;
        }
        if (req.method === 'POST' && req.url === INTERNAL_ROUTES.serviceToken.path) {
          if (req.headers['x-aic-service-secret'] !== serviceSecret) {
            res.statusCode = 401;
            res.end(JSON.stringify({ error: 'bad service secret' }));
            return;
          }
          let body = '';
          for await (const chunk of req) body += chunk;
          const { service, organizationId, permissions, onBehalfOf } = JSON.parse(body);
          const perms = onBehalfOf && checkDelegation ? held.get(`${organizationId}|${onBehalfOf}`) : undefined;
          const missing = perms ? (permissions as string[]).filter((p) => !perms.has(p)) : [];
          if (missing.length > 0) {
            res.statusCode = 403;
            res.setHeader('content-type', 'application/json');
            res.end(
              JSON.stringify({ error: `The user who started this work lacks the permission ${missing.join(', ')}` }),
            );
            return;
          }
          // A delegated token as identity signs it.
          const token = await sign(
            onBehalfOf
              ? { sub: onBehalfOf, org: organizationId, perms: permissions, kind: 'user', act: `service:${service}` }
              : { sub: `service:${service}`, org: organizationId, perms: permissions, kind: 'service' },
          );
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ accessToken: token, expiresIn: 900 }));
          return;
        }
        res.statusCode = 404;
        res.end();
      })(),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwksUrl: routeUrl(url, INTERNAL_ROUTES.jwks),
    issuer,
    audience,
    serviceSecret,
    issue: (claims = {}) => {
      if ((claims.kind ?? 'user') === 'user' && claims.sub && !claims.act) {
        const key = `${claims.org ?? 'org-test'}|${claims.sub}`;
        const perms = held.get(key) ?? new Set<string>();
        for (const p of claims.perms ?? []) perms.add(p);
        held.set(key, perms);
      }
      return sign(claims);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
