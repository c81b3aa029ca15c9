import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import { MikroORM as LibsqlOrm } from '@mikro-orm/libsql';
import { MikroORM as PostgresOrm } from '@mikro-orm/postgresql';
import { POSTGRES_REACHABLE, TEST_POSTGRES } from '../../../../lib/src/testing/postgres';
import { IDENTITY_ENTITIES } from '../../src/identity.entities';

export const POSTGRES_URL = TEST_POSTGRES;

/** A fresh database with identity's schema, and how to throw it away. */
export interface TestDatabase {
  orm: MikroORM;
  close(): Promise<void>;
}

/** SQLite in memory (libsql). */
export async function openSqlite(): Promise<TestDatabase> {
  const orm = await LibsqlOrm.init({ dbName: ':memory:', entities: IDENTITY_ENTITIES, allowGlobalContext: false });
  await orm.schema.createSchema();
  return { orm, close: () => orm.close(true) };
}

/**
 * True when something listens on PostgreSQL's port. Synchronous (a child process tries to connect)
 * so a test file can decide at collection time whether to skip.
 */
export function postgresListening(): boolean {
  return POSTGRES_REACHABLE;
}

/** A PostgreSQL database with a random name, created for this run and dropped by `close`. */
export async function openPostgres(): Promise<TestDatabase> {
  const name = `aic_identity_test_${randomBytes(6).toString('hex')}`;
  const admin = await PostgresOrm.init({
    clientUrl: `${POSTGRES_URL}/postgres`,
    entities: IDENTITY_ENTITIES,
    allowGlobalContext: false,
  });
  await admin.em.getConnection().execute(`create database "${name}"`);
  const orm = await PostgresOrm.init({
    clientUrl: `${POSTGRES_URL}/${name}`,
    entities: IDENTITY_ENTITIES,
    allowGlobalContext: false,
  });
  await orm.schema.createSchema();
  return {
    orm,
    close: async () => {
      await orm.close(true);
      await admin.em.getConnection().execute(`drop database if exists "${name}" with (force)`);
      await admin.close(true);
    },
  };
}
