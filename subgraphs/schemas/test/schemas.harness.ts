import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { RunningService } from '../../../lib/src/testing/harness';
import { gql, startService, testBaseConfig } from '../../../lib/src/testing/harness';
import type { TestIssuer, TestTokenClaims } from '../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../lib/src/testing/test-issuer';
import type { Config } from '../src/config';
import type { SchemasServer } from '../src/server';
import { createServer } from '../src/server';

export const READER = ['schemas:read'];
export const WRITER = ['schemas:read', 'schemas:write'];

export interface SchemasHarness {
  issuer: TestIssuer;
  service: RunningService;
  built: SchemasServer;
  /** A token for a fresh user in `org` (a fresh organization unless given) with `perms`. */
  token(claims?: TestTokenClaims): Promise<string>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): ReturnType<typeof gql<T>>;
  /** A request to the Confluent REST API at the service root. */
  rest(
    method: string,
    route: string,
    token: string | undefined,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; contentType: string | null; body: any }>;
  stop(): Promise<void>;
}

/** Starts a real schemas service on port 0 over SQLite :memory: (or `databaseUrl`), with a real token issuer. */
export async function startSchemas(overrides: Partial<Config> = {}): Promise<SchemasHarness> {
  const issuer = await startTestIssuer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-schemas-'));
  const base = testBaseConfig('schemas', {
    dataDir,
    auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    serviceSecret: issuer.serviceSecret,
  });
  const config: Config = {
    ...base,
    defaultCompatibility: 'BACKWARD',
    maxSchemaBytes: 256 * 1024,
    parsedCacheSize: 100,
    ...overrides,
  };
  const built = await createServer(config);
  const service = await startService('schemas', built.server);
  return {
    issuer,
    service,
    built,
    token: (claims = {}) => issuer.issue({ sub: randomUUID(), org: `org-${randomUUID()}`, ...claims }),
    gql: (query, variables = {}, token) => gql(service.graphqlUrl, query, variables, token),
    async rest(method, route, token, body, contentType = 'application/vnd.schemaregistry.v1+json') {
      const res = await fetch(`${service.url}${route}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': contentType }),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // raw schema text answers stay strings
      }
      return { status: res.status, contentType: res.headers.get('content-type'), body: parsed };
    },
    async stop() {
      await service.stop();
      await issuer.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
