import fs from 'node:fs';
import path from 'node:path';
import type { EntityClass, MikroORM, Options } from '@mikro-orm/core';
import type { Logger } from './logger';

export type DatabaseKind = 'sqlite' | 'postgresql' | 'mongodb';

export interface OrmOptions {
  /** `DATABASE_URL`; unset means a SQLite file `<dataDir>/<serviceName>.sqlite`. `:memory:` is allowed. */
  databaseUrl?: string;
  dataDir: string;
  serviceName: string;
  entities: EntityClass<any>[];
  logger?: Logger;
  /** Create or update tables/collections at boot (additive only: never drops). @default true */
  syncSchema?: boolean;
}

/**
 * @returns which driver a `DATABASE_URL` selects
 */
export function databaseKind(url: string | undefined): DatabaseKind {
  if (!url || url === ':memory:' || url.startsWith('file:') || url.startsWith('sqlite:') || url.endsWith('.sqlite') || url.endsWith('.db')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  if (/^mongodb(\+srv)?:\/\//.test(url)) return 'mongodb';
  throw new Error(`DATABASE_URL must be a postgresql://, mongodb:// or sqlite: URL (or unset for the embedded SQLite file), got "${url}"`);
}

function sqlitePath(opts: OrmOptions): string {
  const url = opts.databaseUrl;
  if (url === ':memory:') return ':memory:';
  if (url) return url.replace(/^sqlite:(\/\/)?/, '').replace(/^file:/, '');
  fs.mkdirSync(opts.dataDir, { recursive: true });
  return path.join(opts.dataDir, `${opts.serviceName}.sqlite`);
}

/**
 * Creates the MikroORM instance of one service; `DATABASE_URL` picks the driver. With `syncSchema`
 * it creates missing databases, tables, columns and indexes and never drops anything, so a restart
 * on an older database keeps its data.
 * @returns the initialized ORM; use `orm.em.fork()` per request (global context is disallowed)
 */
export async function createOrm(opts: OrmOptions): Promise<MikroORM> {
  const kind = databaseKind(opts.databaseUrl);
  const common: Partial<Options> = {
    entities: opts.entities,
    allowGlobalContext: false,
    debug: false,
    forceUtcTimezone: true,
    discovery: { warnWhenNoEntities: true },
    logger: (msg: string) => opts.logger?.debug({ orm: true }, msg),
  };
  let orm: MikroORM;
  if (kind === 'sqlite') {
    const { MikroORM: LibSqlORM } = await import('@mikro-orm/libsql');
    orm = await LibSqlORM.init({ ...common, dbName: sqlitePath(opts) } as any);
  } else if (kind === 'postgresql') {
    const { MikroORM: PgORM } = await import('@mikro-orm/postgresql');
    orm = await PgORM.init({ ...common, clientUrl: opts.databaseUrl } as any);
  } else {
    const { MikroORM: MongoORM, MongoNamingStrategy } = await import('@mikro-orm/mongodb');
    // Portable entities keep a string `id`; MongoDB stores it as `_id`.
    class MongoIdNamingStrategy extends MongoNamingStrategy {
      override propertyToColumnName(name: string) {
        return name === 'id' ? '_id' : super.propertyToColumnName(name);
      }
    }
    orm = await MongoORM.init({ ...common, clientUrl: opts.databaseUrl, namingStrategy: MongoIdNamingStrategy } as any);
  }
  if (opts.syncSchema !== false) await syncSchema(orm, kind);
  return orm;
}

async function syncSchema(orm: MikroORM, kind: DatabaseKind): Promise<void> {
  const generator = orm.getSchemaGenerator() as any;
  if (kind === 'mongodb') {
    await generator.createSchema();
    await generator.ensureIndexes();
    return;
  }
  await generator.ensureDatabase();
  await generator.updateSchema({ safe: true, dropTables: false });
}

/** @returns true when the database answers a trivial query */
export async function pingDatabase(orm: MikroORM): Promise<boolean> {
  try {
    return await orm.isConnected();
  } catch {
    return false;
  }
}
