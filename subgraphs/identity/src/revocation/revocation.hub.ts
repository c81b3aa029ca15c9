import type { MikroORM } from '@mikro-orm/core';
import Redis from 'ioredis';
import type { Logger, Revocation, RevocationKind } from '../../../../lib/src/index';
import { RevocationList, parseRevocations } from '../../../../lib/src/index';
import { RevocationRecord } from './revocation.entity';
import type { Clock } from '../shared/actor.types';

export interface RevocationHubOptions {
  /** With Redis, every revocation is published on `channel`, and ones made by other replicas are heard there. */
  redisUrl?: string;
  channel: string;
  logger?: Logger;
}

/**
 * Identity's side of revocation, one per process: the live list (identity's own verifier reads it
 * and its stream serves it), loaded from the database at boot, and the publisher. Without Redis a
 * revocation reaches other processes only through this process's stream, so identity replicas
 * need Redis to learn each other's.
 */
export class RevocationHub {
  readonly list: RevocationList;
  private pub?: Redis;
  private sub?: Redis;

  constructor(
    private readonly options: RevocationHubOptions,
    clock: Clock = () => new Date(),
  ) {
    this.list = new RevocationList(() => clock().getTime());
  }

  /** Loads the live revocations from the database (dropping expired rows) and joins the Redis channel. */
  async start(orm: MikroORM, clock: Clock): Promise<void> {
    const em = orm.em.fork();
    const now = clock();
    await em.nativeDelete(RevocationRecord, { until: { $lte: now } });
    const rows = await em.find(RevocationRecord, { until: { $gt: now } });
    this.list.add(rows.map((r) => ({ kind: r.kind as RevocationKind, id: r.subjectId, until: r.until.toISOString(), ...(r.issuedBefore ? { issuedBefore: r.issuedBefore.toISOString() } : {}) })));
    if (!this.options.redisUrl) return;
    this.pub = new Redis(this.options.redisUrl, { maxRetriesPerRequest: 2 });
    this.sub = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    this.sub.on('message', (_channel: string, message: string) => {
      try {
        this.list.add(parseRevocations(JSON.parse(message)));
      } catch {
        this.options.logger?.warn('ignored a malformed revocation message');
      }
    });
    for (const client of [this.pub, this.sub]) client.on('error', (err) => this.options.logger?.warn({ err: err.message }, 'revocation channel: Redis error'));
    // Not awaited: identity serves (its own list is loaded) while Redis is still unreachable.
    this.sub.subscribe(this.options.channel).catch((err: Error) => this.options.logger?.warn({ err: err.message }, 'revocation channel: could not subscribe'));
  }

  /** Makes revocations known here (and to this process's streams) and publishes them on Redis. */
  publish(revocations: Revocation[]): void {
    if (!revocations.length) return;
    this.list.add(revocations);
    // The database row is the record of truth: a follower that misses this message reloads the list when it reconnects.
    this.pub?.publish(this.options.channel, JSON.stringify(revocations)).catch((err: Error) => this.options.logger?.error({ err: err.message }, 'could not publish a revocation on Redis'));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.pub?.quit(), this.sub?.quit()]);
  }
}
