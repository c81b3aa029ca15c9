import fs from 'node:fs';
import path from 'node:path';
import type {
  EntityClass,
  EventSubscriber,
  FlushEventArgs,
  LoggerNamespace,
  LoggerOptions,
  MikroORM,
  Options,
} from '@mikro-orm/core';
import { DefaultLogger, JsonType } from '@mikro-orm/core';
import type { FieldError } from './errors';
import type { Logger } from './logger';
import { ConfigError } from './env';
import { ensurePrivateDir, ensurePrivateFile, tightenFile } from './private-files';
import { maskSqlLiterals } from './redact';
import { findUnstorableStrings, UnstorableInputError } from './storable-input';
import type { ServiceMigrations } from './migrations';
import { runMigrations, withFileLock, withPostgresLock } from './migrations';

export type DatabaseKind = 'sqlite' | 'postgresql' | 'mongodb';

export interface OrmOptions {
  /** `DATABASE_URL`; unset means a SQLite file `<dataDir>/<serviceName>.sqlite`. `:memory:` is allowed. */
  databaseUrl?: string;
  dataDir: string;
  serviceName: string;
  entities: EntityClass<object>[];
  logger?: Logger;
  /**
   * The service's migrations: at boot the pending ones run under a lock (PostgreSQL advisory lock,
   * SQLite lock file), so any number of replicas may boot at once. Without them (test ORMs over a
   * few entities) the tables are made by a safe schema update, under the same lock.
   */
  migrations?: ServiceMigrations;
  /** Migrate (or, without `migrations`, create/update tables additively) at boot. @default true */
  syncSchema?: boolean;
}

/**
 * @returns which driver a `DATABASE_URL` selects
 */
export function databaseKind(url: string | undefined): DatabaseKind {
  if (
    !url ||
    url === ':memory:' ||
    url.startsWith('file:') ||
    url.startsWith('sqlite:') ||
    url.endsWith('.sqlite') ||
    url.endsWith('.db')
  )
    return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  if (/^mongodb(\+srv)?:\/\//.test(url)) return 'mongodb';
  throw new Error(
    `DATABASE_URL must be a postgresql://, mongodb:// or sqlite: URL (or unset for the embedded SQLite file), got "${url}"`,
  );
}

/**
 * The SQLite file, created 0600 (and tightened when it exists) in a 0700 folder before libsql opens
 * it; SQLite gives its journal and WAL files the database file's mode.
 */
function sqlitePath(opts: OrmOptions): string {
  const url = opts.databaseUrl;
  if (url === ':memory:') return ':memory:';
  const file = url
    ? url.replace(/^sqlite:(\/\/)?/, '').replace(/^file:/, '')
    : path.join(opts.dataDir, `${opts.serviceName}.sqlite`);
  if (!url && !ensurePrivateDir(opts.dataDir))
    opts.logger?.warn(
      { dataDir: opts.dataDir },
      'the data folder belongs to another user: it stays readable by others',
    );
  ensurePrivateFile(file);
  for (const suffix of ['-wal', '-shm', '-journal']) tightenFile(`${file}${suffix}`);
  return file;
}

/**
 * MikroORM's logger with parameter logging impossible: even a query that asks for logging
 * (`logging: { enabled: true }`) shows its SQL with placeholders, never the values.
 */
class ParameterFreeLogger extends DefaultLogger {
  override isEnabled(namespace: LoggerNamespace, context?: Parameters<DefaultLogger['isEnabled']>[1]): boolean {
    return namespace === 'query-params' ? false : super.isEnabled(namespace, context);
  }
}

/**
 * Refuses a flush holding strings no database can store (NUL, lone surrogates) before any SQL
 * runs. Client input is refused earlier, naming its field (storable-input.ts); this catches values
 * derived from uploaded files and other services (`Dataset.columns[0].name`).
 */
class StorableValuesGuard implements EventSubscriber {
  onFlush({ uow }: FlushEventArgs): void {
    for (const changeSet of uow.getChangeSets()) {
      const fields: FieldError[] = [];
      for (const [key, value] of Object.entries(changeSet.payload as Record<string, unknown>)) {
        // A JSON property's payload is already JSON text, where NUL and lone surrogates are escaped.
        const json =
          changeSet.meta.properties[key as keyof typeof changeSet.meta.properties]?.customType instanceof JsonType;
        fields.push(
          ...findUnstorableStrings(
            json ? (changeSet.entity as Record<string, unknown>)[key] : value,
            `${changeSet.name}.${key}`,
          ),
        );
      }
      if (fields.length) throw new UnstorableInputError(changeSet.name, fields);
    }
  }
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
    // At debug level the queries are logged, always with placeholders (ParameterFreeLogger).
    debug: opts.logger?.isLevelEnabled('debug') ? ['query', 'info', 'discovery'] : false,
    colors: false,
    loggerFactory: (options: LoggerOptions) => new ParameterFreeLogger(options),
    logger: (msg: string) => opts.logger?.debug({ orm: true }, maskSqlLiterals(msg)),
    subscribers: [new StorableValuesGuard()],
    forceUtcTimezone: true,
    discovery: { warnWhenNoEntities: true },
  };
  if (opts.migrations && (kind === 'sqlite' || kind === 'postgresql')) {
    const { Migrator } = await import('@mikro-orm/migrations');
    common.extensions = [Migrator];
    common.migrations = {
      migrationsList: opts.migrations[kind],
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    };
  }
  let orm: MikroORM;
  let file: string | undefined;
  if (kind === 'sqlite') {
    const { MikroORM: LibSqlORM } = await import('@mikro-orm/libsql');
    // secure_delete: a deleted or overwritten row (a private key sealed on boot, erased PII) is
    // zeroed in the file instead of lingering in a free page. Set on every pooled connection.
    const afterCreate = (conn: { exec(sql: string): void }, done: (err: Error | null, conn: unknown) => void) => {
      try {
        conn.exec('PRAGMA secure_delete = ON');
        // Replicas sharing the file (boot, claims): a statement that meets another process's lock waits
        // for it (up to 10 s) instead of failing at once with SQLITE_BUSY.
        conn.exec('PRAGMA busy_timeout = 10000');
        done(null, conn);
      } catch (err) {
        done(err as Error, conn);
      }
    };
    file = sqlitePath(opts);
    orm = await LibSqlORM.init({ ...common, dbName: file, pool: { afterCreate } });
  } else if (kind === 'postgresql') {
    const { MikroORM: PgORM } = await import('@mikro-orm/postgresql');
    // The database is created below (ensureDatabase), tolerating replicas that race to create it.
    const ssl = postgresSsl(opts.databaseUrl ?? '');
    orm = await PgORM.init({
      ...common,
      clientUrl: opts.databaseUrl,
      ensureDatabase: false,
      ...(ssl === undefined ? {} : { driverOptions: { connection: { ssl } } }),
    });
    try {
      await ensureDatabase(orm);
    } catch (err) {
      await orm.close(true);
      throw err;
    }
  } else {
    const { MikroORM: MongoORM, MongoNamingStrategy } = await import('@mikro-orm/mongodb');
    // Portable entities keep a string `id`; MongoDB stores it as `_id`.
    class MongoIdNamingStrategy extends MongoNamingStrategy {
      override propertyToColumnName(name: string) {
        return name === 'id' ? '_id' : super.propertyToColumnName(name);
      }
    }
    orm = await MongoORM.init({ ...common, clientUrl: opts.databaseUrl, namingStrategy: MongoIdNamingStrategy });
  }
  if (opts.syncSchema !== false) {
    try {
      await syncSchema(orm, kind, opts, file);
    } catch (err) {
      await orm.close(true);
      throw err;
    }
  }
  return orm;
}

/**
 * Runs one-time boot work (identity's first owner, its first signing key) under the same kind of lock
 * the migrations take (PostgreSQL advisory lock, SQLite lock file; named by `name`), so replicas
 * booting at once on an empty database do it once: the second finds what the first wrote.
 */
export async function withStartupLock<T>(
  orm: MikroORM,
  opts: Pick<OrmOptions, 'databaseUrl' | 'dataDir' | 'serviceName' | 'logger'>,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  const kind = databaseKind(opts.databaseUrl);
  if (kind === 'postgresql') return withPostgresLock(orm, `${opts.serviceName}:${name}`, work);
  if (kind === 'sqlite') {
    const url = opts.databaseUrl;
    if (url === ':memory:') return work();
    const file = url
      ? url.replace(/^sqlite:(\/\/)?/, '').replace(/^file:/, '')
      : path.join(opts.dataDir, `${opts.serviceName}.sqlite`);
    return withFileLock(`${file}.${name}`, opts.logger, work);
  }
  return work();
}

async function syncSchema(
  orm: MikroORM,
  kind: DatabaseKind,
  opts: OrmOptions,
  file: string | undefined,
): Promise<void> {
  const generator = orm.getSchemaGenerator();
  if (kind === 'mongodb') {
    await generator.createSchema();
    await generator.ensureIndexes();
    return;
  }
  const work = async () => {
    if (opts.migrations) await runMigrations(orm, kind as 'sqlite' | 'postgresql', opts.logger);
    else await generator.updateSchema({ safe: true, dropTables: false });
  };
  if (kind === 'postgresql') await withPostgresLock(orm, opts.serviceName, work);
  else if (file && file !== ':memory:') await withFileLock(file, opts.logger, work);
  else await work();
}

/**
 * Creates the PostgreSQL database when missing. Replicas booting at once race to create it: the
 * loser's CREATE DATABASE fails, after which the database exists and that is all it needed.
 */
async function ensureDatabase(orm: MikroORM): Promise<void> {
  const generator = orm.getSchemaGenerator();
  const dbName = orm.config.get('dbName');
  try {
    await generator.ensureDatabase();
  } catch (err) {
    if (orm.config.get('dbName') !== dbName) {
      orm.config.set('dbName', dbName);
      await orm.config.getDriver().reconnect();
    }
    // Another replica created it meanwhile: checking again finds it (or creates it, or fails for real).
    const ensured = await generator.ensureDatabase({ forceCheck: true }).then(
      () => true,
      () => false,
    );
    if (!ensured) throw err;
  }
}

/** @returns true when the database answers a trivial query */
export async function pingDatabase(orm: MikroORM): Promise<boolean> {
  try {
    return await orm.isConnected();
  } catch {
    return false;
  }
}

/**
 * The TLS settings of a PostgreSQL URL's libpq parameters, which MikroORM does not read from the URL
 * (it takes host, port, user, password and database only, so `?sslmode=require` alone would connect
 * in plain text): `sslmode=require` (or `prefer`/`allow`) encrypts without checking the certificate,
 * as libpq does; `verify-ca`/`verify-full` check it (against `sslrootcert` when given, else the
 * system's CAs). @returns undefined without `sslmode` (or `disable`)
 */
export function postgresSsl(url: string): false | { rejectUnauthorized: boolean; ca?: string } | undefined {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    return undefined;
  }
  const mode = params.get('sslmode') ?? (params.get('ssl') === 'true' ? 'require' : null);
  if (mode === null) return undefined;
  if (mode === 'disable') return false;
  if (mode === 'require' || mode === 'prefer' || mode === 'allow') return { rejectUnauthorized: false };
  if (mode === 'verify-ca' || mode === 'verify-full') {
    const root = params.get('sslrootcert');
    return root && root !== 'system'
      ? { rejectUnauthorized: true, ca: fs.readFileSync(root, 'utf8') }
      : { rejectUnauthorized: true };
  }
  throw new ConfigError(
    `DATABASE_URL: unknown sslmode "${mode}" (disable, allow, prefer, require, verify-ca, verify-full)`,
  );
}
