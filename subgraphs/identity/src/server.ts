import type { MikroORM } from '@mikro-orm/core';
import type { GraphQLSchema } from 'graphql';
import type { Logger, ServiceServer } from '../../../lib/src/index';
import { Counter } from 'prom-client';
import { createContextFactory, createLogger, createOrm, createServiceMetrics, createServiceServer, createTokenVerifier, pingDatabase } from '../../../lib/src/index';
import { SERVICE_NAME, type Config } from './config';
import { IDENTITY_ENTITIES } from './identity.entities';
import { createIdentityRuntime, createIdentityServices, type IdentityRuntime } from './identity.services';
import { runFirstRun, type FirstRunResult } from './bootstrap/first-run.service';
import { createLocalKeySource } from './signing-key/local-key.source';
import { createSessionAwareVerifier } from './session/session-aware.verifier';
import { buildIdentitySchema } from './schema';
import { createIdentityContextFactory } from './context';
import { mountIdentityRoutes } from './identity.routes';
import type { Clock } from './shared/actor.types';
import { RevocationHub } from './revocation/revocation.hub';
import { mountRevocationRoutes } from './revocation/revocation.routes';
import { CredentialThrottle } from './auth/credential-throttle';
import Redis from 'ioredis';

export interface Deps {
  logger: Logger;
  clock: Clock;
}

export interface IdentityServer {
  server: ServiceServer;
  orm: MikroORM;
  schema: GraphQLSchema;
  runtime: IdentityRuntime;
  /** Set on the boot that created the default organization and its owner. */
  firstRun: FirstRunResult | null;
}

/**
 * Builds the identity service: database (schema synced), first run (signing key, default
 * organization and owner), live revocations, schema with permissions, REST routes. Never listens.
 */
export async function createServer(config: Config, deps: Partial<Deps> = {}): Promise<IdentityServer> {
  const logger = deps.logger ?? createLogger(SERVICE_NAME, config.logLevel);
  const orm = await createOrm({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, serviceName: SERVICE_NAME, entities: IDENTITY_ENTITIES, logger });
  const clock = deps.clock ?? (() => new Date());
  const revocations = new RevocationHub({ redisUrl: config.redisUrl, channel: config.auth.revocations?.channel ?? 'aic:revocations', logger }, clock);
  // No offline queue: while Redis is down the throttle counts in memory instead of waiting.
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  redis?.on('error', (err) => logger.warn({ err: err.message }, 'credential throttle: Redis error; counting in memory'));
  const throttle = new CredentialThrottle(config.identity.credentialThrottle, { redis, prefix: config.redisPrefix });
  try {
    await revocations.start(orm, clock);
    const metrics = createServiceMetrics(SERVICE_NAME, { maxLabelValues: config.metricsMaxLabelValues });
    const events = new Counter({ name: 'identity_security_events_total', help: 'Security events by type and outcome (sign-ins, lockouts, token reuse, key changes ...)', labelNames: ['type', 'success'], registers: [metrics.registry] });
    const runtime = createIdentityRuntime(config.identity, clock, (type, success) => events.inc({ type, success: String(success) }), { revocations, throttle });
    const em = orm.em.fork();
    const atRest = await runtime.keys.sealAtRest(em);
    if (atRest.sealed || atRest.resealed) logger.info(atRest, 'private signing keys encrypted with the current key-encryption key');
    if (!config.identity.keyEncryptionKeys?.length && config.databaseUrl !== ':memory:') logger.warn('AIC_KEY_ENCRYPTION_KEY is unset: private signing keys are kept unencrypted in the database (refused in production)');
    const boot = createIdentityServices(em, runtime);
    const firstRun = await runFirstRun(em, { organizations: boot.organizations, users: boot.users, keys: runtime.keys }, { adminEmail: config.adminEmail, adminPassword: config.adminPassword });
    const verify = createSessionAwareVerifier(
      orm,
      createTokenVerifier({ getKey: createLocalKeySource(orm, runtime.keys), issuer: config.identity.issuer, audience: config.identity.audience, revocations: revocations.list }),
      runtime.clock,
    );
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
      context: createIdentityContextFactory(createContextFactory({ orm, verify, logger }), runtime),
      readinessChecks: [() => pingDatabase(orm)],
      routes: (app) => {
        mountIdentityRoutes(app, { orm, runtime, logger });
        endStreams = mountRevocationRoutes(app, revocations);
      },
      onStop: async () => {
        await revocations.close();
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
    return { server, orm, schema, runtime, firstRun };
  } catch (error) {
    await revocations.close();
    redis?.disconnect();
    await orm.close();
    throw error;
  }
}
