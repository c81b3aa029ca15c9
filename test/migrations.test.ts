// Issue #17: schema changes come from each service's migrations, run under a lock, so replicas may boot
// at once on an empty database; and the migrations build exactly the entities (a changed entity
// without a migration fails here, printing the SQL to put in one).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrm, MIGRATIONS_TABLE, withFileLock } from '../lib/src/index';
import { POSTGRES_REACHABLE, testPostgresDatabase, testPostgresLabel } from '../lib/src/testing/postgres';
import { MIGRATED_SERVICES } from '../scripts/migration-services';

const REPLICAS = 4;

const postgresListening = (): boolean => POSTGRES_REACHABLE;

interface EmptyDatabase {
  label: 'sqlite' | 'postgresql';
  url: string;
  drop(): Promise<void>;
}

function emptyDatabase(label: 'sqlite' | 'postgresql', service: string): EmptyDatabase {
  if (label === 'postgresql') return { label, ...testPostgresDatabase(`aic_migrate_${service}`) };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `aic-migrate-${service}-`));
  return {
    label,
    url: path.join(dir, `${service}.sqlite`),
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

const DIALECTS: ('sqlite' | 'postgresql')[] = postgresListening() ? ['sqlite', 'postgresql'] : ['sqlite'];
if (DIALECTS.length === 1)
  console.warn(`${testPostgresLabel()} does not answer: the PostgreSQL runs of the migration tests are skipped`);

const references = new Map<string, Promise<{ orm: MikroORM; db: EmptyDatabase }>>();

/** A database whose tables `createSchema` made from the service's entities (no migrations). */
async function reference(dialect: 'sqlite' | 'postgresql', service: string): Promise<MikroORM> {
  const key = `${dialect}/${service}`;
  if (!references.has(key)) {
    references.set(
      key,
      (async () => {
        const db = emptyDatabase(dialect, `${service}_ref`);
        const orm = await createOrm({
          databaseUrl: db.url,
          dataDir: os.tmpdir(),
          serviceName: `${service}-reference`,
          entities: MIGRATED_SERVICES[service]!.entities,
          syncSchema: false,
        });
        await orm.schema.createSchema();
        return { orm, db };
      })(),
    );
  }
  return (await references.get(key)!).orm;
}

async function referenceDrift(dialect: 'sqlite' | 'postgresql', service: string): Promise<string> {
  return (await reference(dialect, service)).schema.getUpdateSchemaSQL({ wrap: false });
}

/** The SQLite schema as SQLite stores it: every table and index statement but the migrations table's. */
async function sqliteSchema(orm: MikroORM): Promise<string[]> {
  const rows: { sql: string | null; name: string }[] = await orm.em
    .getConnection()
    .execute(
      `select name, sql from sqlite_master where name not like '${MIGRATIONS_TABLE}%' and name not like 'sqlite_%' order by name`,
    );
  return rows.map((r) => `${r.name}: ${r.sql}`);
}

afterAll(async () => {
  for (const pending of references.values()) {
    const { orm, db } = await pending;
    await orm.close(true);
    await db.drop();
  }
});

const CASES = Object.keys(MIGRATED_SERVICES).flatMap((service) => DIALECTS.map((dialect) => ({ service, dialect })));

describe.each(CASES)('the $service migrations on $dialect', ({ service, dialect }) => {
  const { entities, migrations } = MIGRATED_SERVICES[service]!;
  const dropped: EmptyDatabase[] = [];
  afterAll(async () => {
    for (const db of dropped) await db.drop();
  });

  it(`let ${REPLICAS} replicas boot at once on an empty database, each migration applied once, and build exactly the entities`, async () => {
    const db = emptyDatabase(dialect, service);
    dropped.push(db);
    const boot = () =>
      createOrm({ databaseUrl: db.url, dataDir: os.tmpdir(), serviceName: service, entities, migrations });
    const results = await Promise.allSettled(Array.from({ length: REPLICAS }, boot));
    const orms = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    try {
      expect(
        results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
      ).toEqual([]);
      const rows: { name: string }[] = await orms[0]!.em
        .getConnection()
        .execute(`select name from ${MIGRATIONS_TABLE} order by id`);
      expect(rows.map((r) => r.name)).toEqual(migrations[dialect].map((m) => m.name));
      // A changed entity without a migration shows up here, with the SQL its migration needs
      // (`npm run migration:create -- <service>` writes it).
      // Compared with a database made straight from the entities: MikroORM's SQLite diff re-plans a
      // table with an enum check on every run (inference's batch jobs), on both alike.
      const drift = await orms[0]!.schema.getUpdateSchemaSQL({ wrap: false });
      expect(drift, `the ${service} entities differ from what its ${dialect} migrations build; add a migration`).toBe(
        await referenceDrift(dialect, service),
      );
      if (dialect === 'sqlite')
        expect(await sqliteSchema(orms[0]!)).toEqual(await sqliteSchema(await reference(dialect, service)));
    } finally {
      for (const orm of orms) await orm.close(true);
    }
  });

  it('boots again on the migrated database with nothing to apply', async () => {
    const db = dropped[0]!;
    const orm: MikroORM = await createOrm({
      databaseUrl: db.url,
      dataDir: os.tmpdir(),
      serviceName: service,
      entities,
      migrations,
    });
    try {
      expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
      const rows: { name: string }[] = await orm.em.getConnection().execute(`select name from ${MIGRATIONS_TABLE}`);
      expect(rows).toHaveLength(migrations[dialect].length);
    } finally {
      await orm.close(true);
    }
  });
});

/** Boots one replica in a process of its own. @returns its exit code and output */
function replicaProcess(service: string, databaseUrl: string): Promise<{ code: number | null; out: string }> {
  const tsx = path.resolve(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [path.join(__dirname, 'support', 'migrate-replica.ts'), service, databaseUrl], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

describe.each(DIALECTS)('%s replicas in separate processes', (dialect) => {
  it(`all ${REPLICAS} boot at once on an empty database and record each migration once`, async () => {
    const db = emptyDatabase(dialect, 'identity');
    try {
      const results = await Promise.all(Array.from({ length: REPLICAS }, () => replicaProcess('identity', db.url)));
      expect(results.map((r) => (r.code === 0 ? 'booted' : r.out))).toEqual(Array(REPLICAS).fill('booted'));
      const { entities, migrations } = MIGRATED_SERVICES.identity!;
      const orm = await createOrm({
        databaseUrl: db.url,
        dataDir: os.tmpdir(),
        serviceName: 'identity',
        entities,
        migrations,
      });
      try {
        const rows: { name: string }[] = await orm.em
          .getConnection()
          .execute(`select name from ${MIGRATIONS_TABLE} order by id`);
        expect(rows.map((r) => r.name)).toEqual(migrations[dialect].map((m) => m.name));
      } finally {
        await orm.close(true);
      }
    } finally {
      await db.drop();
    }
  }, 120_000);
});

describe('the SQLite migration lock file', () => {
  it('serializes holders and recovers a lock left by a process that died', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-migrate-lock-'));
    try {
      const db = path.join(dir, 'x.sqlite');
      // A lock file whose owner process is gone (a pid that just exited).
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      fs.writeFileSync(`${db}.migrate-lock`, JSON.stringify({ pid: Number(dead), host: os.hostname(), token: 'dead' }));
      const order: string[] = [];
      let inside = 0;
      const hold = (name: string) =>
        withFileLock(db, undefined, async () => {
          inside += 1;
          expect(inside).toBe(1);
          order.push(`${name} in`);
          await new Promise((resolve) => setImmediate(resolve));
          order.push(`${name} out`);
          inside -= 1;
        });
      await Promise.all([hold('a'), hold('b'), hold('c')]);
      expect(order).toHaveLength(6);
      for (let i = 0; i < 6; i += 2) expect(order[i + 1]).toBe(order[i]!.replace(' in', ' out'));
      expect(fs.existsSync(`${db}.migrate-lock`)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
