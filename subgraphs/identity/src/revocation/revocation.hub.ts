import Redis from 'ioredis';
import type { Logger, Revocation } from '../../../../lib/src/index';
import { RevocationList, parseRevocations } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import { systemClock } from '../../../../lib/src/kit/clock';

export interface RevocationHubOptions {
  /** With Redis, every revocation is published on `channel`, and ones made by other replicas are heard there. */
  redisUrl?: string;
  channel: string;
  logger?: Logger;
}

/**
 * Identity's side of revocation, one per process: the live list (identity's own verifier reads it
 * and its stream serves it), loaded from the database at boot (RevocationService.live), and the
 * publisher. Without Redis a revocation reaches other processes only through this process's
 * stream, so identity replicas need Redis to learn each other's.
 */
export class RevocationHub {
  readonly list: RevocationList;
  private pub?: Redis;
  private sub?: Redis;

  constructor(
    private readonly options: RevocationHubOptions,
    clock: Clock = systemClock,
  ) {
    this.list = new RevocationList(() => clock().getTime());
  }

  /** Starts from the revocations in force (read from the database) and joins the Redis channel. */
  async start(live: Revocation[]): Promise<void> {
    this.list.add(live);
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
    for (const client of [this.pub, this.sub])
      client.on('error', (err) => this.options.logger?.warn({ err: err.message }, 'revocation channel: Redis error'));
    // Not awaited: identity serves (its own list is loaded) while Redis is still unreachable.
    this.sub
      .subscribe(this.options.channel)
      .catch((err: Error) =>
        this.options.logger?.warn({ err: err.message }, 'revocation channel: could not subscribe'),
      );
  }

  /** Makes revocations known here (and to this process's streams) and publishes them on Redis. */
  publish(revocations: Revocation[]): void {
    if (!revocations.length) return;
    this.list.add(revocations);
    // The database row is the record of truth: a follower that misses this message reloads the list when it reconnects.
    this.pub
      ?.publish(this.options.channel, JSON.stringify(revocations))
      .catch((err: Error) =>
        this.options.logger?.error({ err: err.message }, 'could not publish a revocation on Redis'),
      );
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.pub?.quit(), this.sub?.quit()]);
  }
}
