import type { MikroORM } from '@mikro-orm/core';
import type { BaseServiceConfig } from '../env';
import type { JobQueue } from '../jobs';
import { createJobQueue } from '../jobs';
import type { Logger } from '../logger';
import type { PubSub } from '../pubsub';

/**
 * A subgraph's job queue from its configuration: claims in the service's own database, BullMQ on
 * `REDIS_URL` when set, cancel messages over the service's pub/sub, the lease from `AIC_JOB_LEASE_MS`.
 * Register handlers only when `BootKit.consume` is true; return the queue as `BuiltSubgraph.jobs`.
 */
export function createServiceJobQueue(
  config: Pick<BaseServiceConfig, 'serviceName' | 'redisUrl' | 'jobLeaseMs'>,
  deps: { orm: MikroORM; pubSub?: PubSub; logger?: Logger; prefix?: string },
): JobQueue {
  const leaseMs = config.jobLeaseMs;
  return createJobQueue({
    orm: deps.orm,
    redisUrl: config.redisUrl,
    prefix: deps.prefix ?? config.serviceName,
    pubSub: deps.pubSub,
    logger: deps.logger,
    leaseMs,
    // Three heartbeats per lease, and sweeps often enough that takeover is lease + at most a fifth of it.
    heartbeatMs: Math.max(50, Math.min(5_000, Math.floor(leaseMs / 3))),
    pollMs: Math.max(50, Math.min(config.redisUrl ? 2_000 : 1_000, Math.floor(leaseMs / 5))),
  });
}
