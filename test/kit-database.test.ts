// The boot sequence owns a subgraph's database: it opens and migrates it (under the migration lock)
// before `build`, hands it over as `kit.orm`, and closes it again when the build fails. Checked with
// a real subgraph's declaration (schemas) on a SQLite file and on PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { BootKit } from '../lib/src/kit/boot';
import { bootSubgraph } from '../lib/src/kit/boot';
import { testBaseConfig } from '../lib/src/testing/harness';
import { testPostgresDatabase } from '../lib/src/testing/postgres';
import { loadConfig } from '../subgraphs/schemas/src/config';
import { SCHEMAS_DATABASE, createServer } from '../subgraphs/schemas/src/server';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-kit-database-'));
const pg = testPostgresDatabase('aic_kit_database');
afterAll(async () => {
  await pg.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tables = async (orm: MikroORM): Promise<string[]> => {
  const conn = orm.em.getConnection();
  const rows: { name: string }[] = orm.config.get('dbName')?.endsWith('.sqlite')
    ? await conn.execute(`SELECT name FROM sqlite_master WHERE type = 'table'`)
    : await conn.execute(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`);
  return rows.map((r) => r.name);
};

describe.each([
  { label: 'a SQLite file', databaseUrl: () => path.join(dir, 'schemas.sqlite') },
  { label: 'PostgreSQL', databaseUrl: () => pg.url },
])('a subgraph database opened by the boot sequence, on $label', ({ databaseUrl }) => {
  it('is migrated before build and handed over as kit.orm', async () => {
    let seen: BootKit | undefined;
    const running = await bootSubgraph({
      name: 'schemas',
      loadConfig: () => ({
        ...testBaseConfig('schemas', { dataDir: dir, databaseUrl: databaseUrl() }),
        drainDelaySeconds: 0,
      }),
      database: SCHEMAS_DATABASE,
      build: async (_config, kit) => {
        seen = kit;
        return createServer(
          { ...loadConfig({ DATABASE_URL: databaseUrl(), AIC_DATA_DIR: dir, LOG_LEVEL: 'silent' }), port: 0 },
          { kit },
        );
      },
    });
    try {
      expect(seen?.orm).toBeDefined();
      expect(await seen!.orm!.getMigrator().getPendingMigrations()).toEqual([]);
      expect(await tables(seen!.orm!)).toEqual(expect.arrayContaining(['subjects', 'schema_versions']));
      // The server works on the boot's ORM, not a second one.
      expect((running.built as unknown as { orm: MikroORM }).orm).toBe(seen!.orm);
    } finally {
      await running.stop();
    }
    expect(await seen!.orm!.isConnected()).toBe(false);
  });

  it('is closed again when the build fails', async () => {
    let orm: MikroORM | undefined;
    const failing = bootSubgraph({
      name: 'schemas',
      loadConfig: () => ({
        ...testBaseConfig('schemas', { dataDir: dir, databaseUrl: databaseUrl() }),
        drainDelaySeconds: 0,
      }),
      database: SCHEMAS_DATABASE,
      build: async (_config, kit) => {
        orm = kit.orm;
        throw new Error('no schema');
      },
    });
    await expect(failing).rejects.toThrow('no schema');
    expect(orm).toBeDefined();
    expect(await orm!.isConnected()).toBe(false);
  });
});
