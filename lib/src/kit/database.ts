import type { MikroORM } from '@mikro-orm/core';
import type { BaseServiceConfig } from '../env';
import type { Logger } from '../logger';
import type { ServiceMigrations } from '../migrations';
import type { OrmOptions } from '../orm';
import { createOrm } from '../orm';

/** A subgraph's database: its entities and its migrations (run under a lock at boot). */
export interface SubgraphDatabase {
  entities: OrmOptions['entities'];
  migrations: ServiceMigrations;
}

/**
 * Opens a subgraph's database as the boot sequence does: the service's `DATABASE_URL` (SQLite under
 * `dataDir` when unset), its pending migrations run under the lock (PostgreSQL advisory lock, SQLite
 * lock file), so any number of replicas may boot at once.
 */
export function openSubgraphDatabase(
  config: Pick<BaseServiceConfig, 'databaseUrl' | 'dataDir' | 'serviceName'>,
  database: SubgraphDatabase,
  logger?: Logger,
): Promise<MikroORM> {
  return createOrm({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    serviceName: config.serviceName,
    entities: database.entities,
    migrations: database.migrations,
    logger,
  });
}

/**
 * The ORM a subgraph's `createServer` works on: one handed in by a test (`deps.orm`), the one the
 * boot sequence opened (`deps.kit.orm`), or — for a server built outside the boot sequence — one
 * opened here the same way.
 */
export async function subgraphOrm(
  config: Pick<BaseServiceConfig, 'databaseUrl' | 'dataDir' | 'serviceName'>,
  database: SubgraphDatabase,
  deps: { orm?: MikroORM; kit?: { orm?: MikroORM } },
  logger?: Logger,
): Promise<MikroORM> {
  return deps.orm ?? deps.kit?.orm ?? (await openSubgraphDatabase(config, database, logger));
}
