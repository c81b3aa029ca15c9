import type { MikroORM } from '@mikro-orm/core';
import type { GraphQLSchema } from 'graphql';
import type { Logger, ServiceServer, TokenVerifier } from '../../../lib/src/index';
import {
  createContextFactory,
  createLogger,
  createOrm,
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

export interface SchemasDeps {
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
  const logger = deps.logger ?? createLogger(SERVICE_NAME, config.logLevel);
  const orm =
    deps.orm ??
    (await createOrm({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      serviceName: SERVICE_NAME,
      entities: SCHEMAS_ENTITIES,
      migrations: MIGRATIONS,
      logger,
    }));
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
