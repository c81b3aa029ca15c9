import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { MikroORM } from '@mikro-orm/core';
import { createOrm } from '../../../lib/src/index';
import { POSTGRES_REACHABLE, TEST_POSTGRES } from '../../../lib/src/testing/postgres';
import { LineageNode } from '../src/lineage/lineage-node.entity';

const PG_BASE = TEST_POSTGRES;

/** Whether the test PostgreSQL answers (lib/src/testing/postgres). */
export const PG_REACHABLE = POSTGRES_REACHABLE;

export interface TestDatabase {
  label: string;
  url: string;
  /** Drops the database after the suite (PostgreSQL); nothing for SQLite :memory:. */
  drop(): Promise<void>;
}

/** SQLite :memory: always; a fresh random PostgreSQL database when the server is reachable. */
export function testDatabases(): TestDatabase[] {
  const out: TestDatabase[] = [{ label: 'sqlite', url: ':memory:', drop: async () => {} }];
  if (PG_REACHABLE) {
    const name = `aic_catalog_test_${randomBytes(5).toString('hex')}`;
    out.push({
      label: 'postgresql',
      url: `${PG_BASE}/${name}`,
      async drop() {
        const admin: MikroORM = await createOrm({
          databaseUrl: `${PG_BASE}/postgres`,
          dataDir: os.tmpdir(),
          serviceName: 'catalog-test',
          entities: [LineageNode],
          syncSchema: false,
        });
        await admin.em.getConnection().execute(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.close();
      },
    });
  }
  return out;
}
