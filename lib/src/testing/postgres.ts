import { randomBytes } from 'node:crypto';
import { answersSync, serverAddress } from './reachable';

/** The variable naming the test PostgreSQL server (no database path): README "Tests". */
export const TEST_POSTGRES_ENV = 'AIC_TEST_POSTGRES_URL';
/** Where the suite looks when the variable is unset. */
export const DEFAULT_TEST_POSTGRES = 'postgresql://postgres@127.0.0.1:5432';

/**
 * The test PostgreSQL server (ARCHITECTURE: tests run the same suite on SQLite and PostgreSQL), without a
 * database path. The vitest global setup (lib/src/testing/global-setup.ts) points the variable at an
 * embedded server when nothing answers on the configured one.
 */
export const TEST_POSTGRES = (process.env[TEST_POSTGRES_ENV] || DEFAULT_TEST_POSTGRES).replace(/\/+$/, '');

/** Host and port of a PostgreSQL URL (port 5432 when it names none). */
export function postgresAddress(url: string): { host: string; port: number } {
  return serverAddress(url, 5432);
}

/** Whether the test PostgreSQL answers (checked once, synchronously, so test lists can depend on it). */
export const POSTGRES_REACHABLE = answersSync(TEST_POSTGRES, 5432);

/** The test server's address for skip messages (no password). */
export function testPostgresLabel(url = TEST_POSTGRES): string {
  const { host, port } = postgresAddress(url);
  return `PostgreSQL at ${host}:${port} (${TEST_POSTGRES_ENV})`;
}

/**
 * A fresh database name on the test server; `createOrm` creates it on first connect.
 * @returns its URL and a `drop()` that removes it (with FORCE, so open connections do not block)
 */
export function testPostgresDatabase(prefix = 'aic'): { url: string; name: string; drop(): Promise<void> } {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  return {
    name,
    url: `${TEST_POSTGRES}/${name}`,
    async drop() {
      const { MikroORM } = await import('@mikro-orm/postgresql');
      const orm = await MikroORM.init({
        clientUrl: `${TEST_POSTGRES}/postgres`,
        entities: [],
        discovery: { warnWhenNoEntities: false },
        allowGlobalContext: true,
      });
      try {
        await orm.em.getConnection().execute(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await orm.close();
      }
    },
  };
}
