import type { MikroORM } from '@mikro-orm/core';
import type { BootKit } from '../../../lib/src/kit/boot';
import type { SubgraphDatabase } from '../../../lib/src/kit/database';
import { subgraphOrm } from '../../../lib/src/kit/database';
import type { GraphQLSchema } from 'graphql';
import type { Logger, ServiceServer, TokenVerifier } from '../../../lib/src/index';
import {
  createContextFactory,
  createLogger,
  createServiceAuth,
  createServiceServer,
  pingDatabase,
} from '../../../lib/src/index';
import type { Config } from './config';
import { SERVICE_NAME } from './config';
import type { SchemasContext } from './context';
import { SCHEMAS_ENTITIES } from './entities';
import { mountConfluentRoutes } from './rest/confluent.routes';
import { mountInternalRoutes } from './rest/internal.routes';
import { buildSchemasSchema } from './schema';
import type { SchemasServices } from './schemas.services';
import { createSchemasServices } from './schemas.services';
import { MIGRATIONS } from './migrations/index';

/** The registry's database: its entities and migrations (opened by the boot sequence, see lib/src/kit/boot). */
export const SCHEMAS_DATABASE: SubgraphDatabase = { entities: SCHEMAS_ENTITIES, migrations: MIGRATIONS };

export interface SchemasDeps {
  /** What the boot sequence hands over: logger and the migrated database (`kit.orm`). */
  kit: Partial<BootKit>;
  /** Where the service logs (tests capture it). @default a pino logger on stdout at LOG_LEVEL */
  logger: Logger;
  orm: MikroORM;
  verify: TokenVerifier;
}

export interface SchemasServer {
  server: ServiceServer;
  orm: MikroORM;
  schema: GraphQLSchema;
  services: SchemasServices;
}

/** Builds the schemas service (never listens): ORM, services (schemas.services.ts), GraphQL schema, Confluent REST API, internal route. */
export async function createServer(config: Config, deps: Partial<SchemasDeps> = {}): Promise<SchemasServer> {
  const logger = deps.logger ?? deps.kit?.logger ?? createLogger(SERVICE_NAME, config.logLevel);
  const orm = await subgraphOrm(config, SCHEMAS_DATABASE, deps, logger);
  const auth = deps.verify ? undefined : await createServiceAuth(config.auth, logger);
  const verify = deps.verify ?? auth!.verify;
  const services = createSchemasServices({ settings: config });
  const schema = await buildSchemasSchema();
  const baseContext = createContextFactory({ orm, verify, logger });
  const server = await createServiceServer<SchemasContext>({
    name: SERVICE_NAME,
    schema,
    logger,
    production: config.production,
    serviceSecret: config.serviceSecret,
    bodyLimitBytes: config.bodyLimitBytes,
    webSocket: config.webSocket,
    metricsMaxLabelValues: config.metricsMaxLabelValues,
    context: async (input) => Object.assign(await baseContext(input), { services }),
    readinessChecks: [() => pingDatabase(orm)],
    revocations: auth?.revocations,
    routes: (app) => {
      mountInternalRoutes(app, { orm, verify, services, logger });
      mountConfluentRoutes(app, { orm, verify, services, logger, bodyLimitBytes: config.bodyLimitBytes });
    },
    onStop: async () => {
      await orm.close();
    },
  });
  return { server, orm, schema, services };
}
