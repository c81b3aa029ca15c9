import { randomBytes } from 'node:crypto';

/** The test PostgreSQL server (ARCHITECTURE: tests run the same suite on SQLite and PostgreSQL). */
export const TEST_POSTGRES = 'postgresql://postgres@127.0.0.1:5432';

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
