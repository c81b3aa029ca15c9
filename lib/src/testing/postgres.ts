import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** The test PostgreSQL server (ARCHITECTURE: tests run the same suite on SQLite and PostgreSQL). */
export const TEST_POSTGRES = 'postgresql://postgres@127.0.0.1:5432';

/** Whether the test PostgreSQL answers (checked once, synchronously, so test lists can depend on it). */
export const POSTGRES_REACHABLE =
  spawnSync(
    process.execPath,
    [
      '-e',
      "require('net').connect(5432,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))",
    ],
    { timeout: 5000 },
  ).status === 0;

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
