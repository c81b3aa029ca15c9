// The scaffolding of every subgraph's legacy-schema test (a database made before the entities
// extended lib's base entities must boot and serve the same rows): one SQLite file and, when the
// test server answers, one PostgreSQL database; the old tables built from the SQL printed then;
// what the ORM would still change; the database opened by the service's migrations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import type { ServiceMigrations } from '../migrations';
import type { OrmOptions } from '../orm';
import { createOrm } from '../orm';
import { POSTGRES_REACHABLE, testPostgresDatabase, testPostgresLabel } from './postgres';

type Entities = OrmOptions['entities'];

export interface LegacyDatabase {
  label: 'sqlite' | 'postgresql';
  url: string;
  drop(): Promise<void>;
}

/** A fresh SQLite file and, when PostgreSQL answers, a fresh PostgreSQL database (created on first connect). */
export function legacyDatabases(service: string): LegacyDatabase[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `aic-${service}-legacy-`));
  const out: LegacyDatabase[] = [
    {
      label: 'sqlite',
      url: path.join(dir, `${service}.sqlite`),
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    },
  ];
  if (POSTGRES_REACHABLE) {
    const pg = testPostgresDatabase(`aic_${service}_legacy`);
    out.push({ label: 'postgresql', url: pg.url, drop: () => pg.drop() });
  } else
    console.warn(`${testPostgresLabel()} does not answer: the PostgreSQL run of the legacy-schema test is skipped`);
  return out;
}

const ormOf = (db: LegacyDatabase, service: string, entities: Entities, migrations?: ServiceMigrations) =>
  createOrm({
    databaseUrl: db.url,
    dataDir: os.tmpdir(),
    serviceName: `${service}-test`,
    entities,
    ...(migrations ? { migrations } : { syncSchema: false }),
  });

/**
 * Builds the old tables from the SQL printed then (`<sqlDir>/<label>.sql`, statements ended by `;\n`).
 * @returns an ORM over the old shapes, to write rows through; the caller closes it
 */
export async function openLegacyDatabase(
  db: LegacyDatabase,
  opts: { service: string; entities: Entities; sqlDir: string },
): Promise<MikroORM> {
  const legacy = await ormOf(db, opts.service, opts.entities);
  const sql = fs.readFileSync(path.join(opts.sqlDir, `${db.label}.sql`), 'utf8');
  for (const statement of sql
    .split(';\n')
    .map((s) => s.trim())
    .filter(Boolean))
    await legacy.em.getConnection().execute(statement);
  return legacy;
}

/** The statements a safe schema update by the current entities would still run (empty: nothing to change). */
export async function pendingSchemaChanges(
  db: LegacyDatabase,
  opts: { service: string; entities: Entities },
): Promise<string[]> {
  const probe = await ormOf(db, opts.service, opts.entities);
  try {
    const sql = await probe.schema.getUpdateSchemaSQL({ safe: true, dropTables: false, wrap: false });
    return sql
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
  } finally {
    await probe.close();
  }
}

/** Opens the database as the service does at boot (its migrations under the lock); the caller closes it. */
export function openMigrated(
  db: LegacyDatabase,
  opts: { service: string; entities: Entities; migrations: ServiceMigrations },
): Promise<MikroORM> {
  return ormOf(db, opts.service, opts.entities, opts.migrations);
}
