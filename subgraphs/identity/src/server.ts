import type { MikroORM } from '@mikro-orm/core';
import type { BootKit } from '../../../lib/src/kit/boot';
import type { SubgraphDatabase } from '../../../lib/src/kit/database';
import { subgraphOrm } from '../../../lib/src/kit/database';
import type { GraphQLSchema } from 'graphql';
import type { Logger, ServiceServer } from '../../../lib/src/index';
import { Counter } from 'prom-client';
import {
  createContextFactory,
  createLogger,
  withStartupLock,
  createServiceMetrics,
  createServiceServer,
  createTokenVerifier,
  pingDatabase,
} from '../../../lib/src/index';
import type { Clock } from '../../../lib/src/kit/clock';
import { systemClock } from '../../../lib/src/kit/clock';
import { SERVICE_NAME, type Config } from './config';
import { IDENTITY_ENTITIES } from './identity.entities';
import { createIdentityServices, type IdentityServices } from './identity.services';
import type { FirstRunResult } from './bootstrap/first-run.service';
import { createLocalKeySource } from './signing-key/local-key.source';
import { createSessionAwareVerifier } from './session/session-aware.verifier';
import { buildIdentitySchema } from './schema';
import { createIdentityContextFactory } from './context';
import { mountIdentityRoutes } from './identity.routes';
import { RevocationHub } from './revocation/revocation.hub';
import { mountRevocationRoutes } from './revocation/revocation.routes';
import { CredentialThrottle } from './auth/credential-throttle';
import { trustedProxies } from './shared/client-address';
import Redis from 'ioredis';
import { MIGRATIONS } from './migrations/index';

/** Identity's database: its entities and migrations (opened by the boot sequence, see lib/src/kit/boot). */
export const IDENTITY_DATABASE: SubgraphDatabase = { entities: IDENTITY_ENTITIES, migrations: MIGRATIONS };

export interface Deps {
  logger: Logger;
  /** What the boot sequence hands over: logger and the migrated database (`kit.orm`). */
  kit: Partial<BootKit>;
  /** @default the system clock */
  clock: Clock;
}

export interface IdentityServer {
  server: ServiceServer;
  orm: MikroORM;
  schema: GraphQLSchema;
  services: IdentityServices;
  /** Set on the boot that created the default organization and its owner. */
  firstRun: FirstRunResult | null;
}

/**
 * Builds the identity service: database (schema synced), services (once), live revocations, first
 * run (signing key, default organization and owner), schema with permissions, REST routes. Never listens.
 */
export async function createServer(config: Config, deps: Partial<Deps> = {}): Promise<IdentityServer> {
  const logger = deps.logger ?? deps.kit?.logger ?? createLogger(SERVICE_NAME, config.logLevel);
  const orm = await subgraphOrm(config, IDENTITY_DATABASE, deps, logger);
  const clock = deps.clock ?? systemClock;
  const hub = new RevocationHub(
    { redisUrl: config.redisUrl, channel: config.auth.revocations?.channel ?? 'aic:revocations', logger },
    clock,
  );
  // No offline queue: while Redis is down the throttle counts in memory instead of waiting.
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
    : undefined;
  redis?.on('error', (err) =>
    logger.warn({ err: err.message }, 'credential throttle: Redis error; counting in memory'),
  );
  const throttle = new CredentialThrottle(config.identity.credentialThrottle, { redis, prefix: config.redisPrefix });
  try {
    const metrics = createServiceMetrics(SERVICE_NAME, { maxLabelValues: config.metricsMaxLabelValues });
    const events = new Counter({
      name: 'identity_security_events_total',
      help: 'Security events by type and outcome (sign-ins, lockouts, token reuse, key changes ...)',
      labelNames: ['type', 'success'],
      registers: [metrics.registry],
    });
    const services = createIdentityServices({
      settings: config.identity,
      clock,
      hub,
      throttle,
      onSecurityEvent: (type, success) => events.inc({ type, success: String(success) }),
    });
    await hub.start(await services.revocations.live(orm.em.fork()));
    // Replicas booting at once on an empty database: one seals the keys and makes the owner and the
    // first signing key, the others then find them (no duplicate owner, no unique-key crash).
    const { atRest, firstRun } = await withStartupLock(
      orm,
      { ...config, serviceName: SERVICE_NAME, logger },
      'first-run',
      async () => ({
        atRest: await services.keys.sealAtRest(orm.em.fork()),
        firstRun: await services.firstRun.run(orm.em.fork(), {
          adminEmail: config.adminEmail,
          adminPassword: config.adminPassword,
        }),
      }),
    );
    if (atRest.sealed || atRest.resealed)
      logger.info(atRest, 'private signing keys encrypted with the current key-encryption key');
    if (!config.identity.keyEncryptionKeys?.length && config.databaseUrl !== ':memory:')
      logger.warn(
        'AIC_KEY_ENCRYPTION_KEY is unset: private signing keys are kept unencrypted in the database (refused in production)',
      );
    const verify = createSessionAwareVerifier(
      orm,
      createTokenVerifier({
        getKey: createLocalKeySource(orm, services.keys),
        issuer: config.identity.issuer,
        audience: config.identity.audience,
        revocations: hub.list,
      }),
      services.sessions,
    );
    const proxies = trustedProxies(config.identity.trustedProxies);
    const schema = await buildIdentitySchema();
    let endStreams = () => undefined as void;
    const server = await createServiceServer({
      name: SERVICE_NAME,
      schema,
      logger,
      metrics,
      production: config.production,
      serviceSecret: config.serviceSecret,
      bodyLimitBytes: config.bodyLimitBytes,
      webSocket: config.webSocket,
      context: createIdentityContextFactory(createContextFactory({ orm, verify, logger }), services, proxies),
      readinessChecks: [() => pingDatabase(orm)],
      routes: (app) => {
        mountIdentityRoutes(app, { orm, services, proxies, logger });
        endStreams = mountRevocationRoutes(app, hub);
      },
      onStop: async () => {
        await hub.close();
        redis?.disconnect();
        await orm.close();
      },
    });
    // Revocation streams never finish by themselves: end them first, or the drain waits out its timeout.
    const stop = server.stop.bind(server);
    server.stop = () => {
      endStreams();
      return stop();
    };
    return { server, orm, schema, services, firstRun };
  } catch (error) {
    await hub.close();
    redis?.disconnect();
    await orm.close();
    throw error;
  }
}
