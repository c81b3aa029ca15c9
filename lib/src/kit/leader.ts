import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import Redis from 'ioredis';
import type { Logger } from '../logger';

/**
 * Who runs a service's periodic work (the apps health monitor and autoscaler, the catalog's
 * retention): replicas of one service elect one leader per `name`, and each periodic loop asks
 * `isLeader()` on every tick and skips the tick when it is not the leader.
 *
 * - With `REDIS_URL` the leader holds a Redis lease: `SET key owner NX PX ttl` to take it, a Lua
 *   compare-and-extend to renew it every `renewMs`, a Lua compare-and-delete to release it on stop.
 *   A leader that cannot renew (Redis unreachable, lease taken) stops being the leader at once; one
 *   that stops renewing (crashed, frozen) loses the lease when its TTL runs out and another replica
 *   takes over within `ttlMs + renewMs`. `isLeader()` only answers true while the last successful
 *   acquire/renew, counted from the moment it was *sent*, is younger than `ttlMs - marginMs`, so a
 *   replica stops thinking it leads before Redis lets anyone else take the lease: never two leaders.
 * - Without Redis (the `npm start` default: one process per service) the process is the leader. Two
 *   processes sharing one database without Redis would both run the periodic work; run replicas with
 *   `REDIS_URL` (the periodic work is idempotent — a duplicate round is wasteful, not wrong).
 */
export interface Leadership {
  readonly name: string;
  /** This replica's id in the lease. */
  readonly owner: string;
  /** True while this replica holds the lease (checked by the periodic loop on every tick). */
  isLeader(): boolean;
  /** Stops renewing and releases the lease if held (another replica takes over at its next attempt). */
  stop(): Promise<void>;
}

export interface LeadershipOptions {
  /** Redis URL; without it (and without `redis`) the process is the leader. */
  redisUrl?: string;
  /** A Redis connection to use instead of `redisUrl` (the caller owns it: stop() does not close it). */
  redis?: Redis;
  /** Key prefix of the lease (default `aic:leader:`). */
  prefix?: string;
  /** Lease lifetime (default 15 s). */
  ttlMs?: number;
  /** How often the holder renews and the others try to take the lease (default ttl / 3). */
  renewMs?: number;
  /** Safety margin under the TTL for clock-rate differences (default ttl / 10). */
  marginMs?: number;
  owner?: string;
  logger?: Logger;
  /** Called when this replica becomes or stops being the leader. */
  onChange?: (leader: boolean) => void;
}

/**
 * The lease name for one service's periodic `task`, scoped to the database its replicas share: replicas
 * on one database elect one leader, while services on other databases (other deployments, parallel
 * test runs sharing one Redis) elect their own. A `:memory:` database is never shared: its name is unique.
 * @returns e.g. `apps:monitor:3f2a…`
 */
export function leaseName(service: string, task: string, db: { databaseUrl?: string; dataDir: string }): string {
  const where =
    db.databaseUrl === ':memory:' ? randomUUID() : (db.databaseUrl ?? path.resolve(db.dataDir, `${service}.sqlite`));
  return `${service}:${task}:${createHash('sha256').update(where).digest('hex').slice(0, 16)}`;
}

/** Extends the lease only if this owner still holds it. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the lease only if this owner still holds it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Starts taking part in the election for `name` (see {@link Leadership}).
 * @returns the leadership handle; stop() it with the service
 */
export function createLeadership(name: string, options: LeadershipOptions = {}): Leadership {
  const owner = options.owner ?? `${process.pid}-${randomUUID()}`;
  if (!options.redis && !options.redisUrl) {
    let stopped = false;
    return { name, owner, isLeader: () => !stopped, stop: async () => void (stopped = true) };
  }
  return new RedisLeadership(name, owner, options);
}

class RedisLeadership implements Leadership {
  private readonly redis: Redis;
  private readonly ownsRedis: boolean;
  private readonly key: string;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly marginMs: number;
  private validUntil = 0;
  private held = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private attempt: Promise<void> | null = null;

  constructor(
    readonly name: string,
    readonly owner: string,
    private readonly options: LeadershipOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 15_000;
    this.renewMs = options.renewMs ?? Math.max(50, Math.floor(this.ttlMs / 3));
    this.marginMs = options.marginMs ?? Math.floor(this.ttlMs / 10);
    this.key = `${options.prefix ?? 'aic:leader:'}${name}`;
    this.ownsRedis = !options.redis;
    // A renew that cannot reach Redis must fail (and demote) rather than wait in the offline queue.
    this.redis =
      options.redis ??
      new Redis(options.redisUrl!, {
        lazyConnect: false,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: this.renewMs,
      });
    this.redis.on('error', (err) => options.logger?.debug({ err, lease: this.name }, 'leader lease connection error'));
    // The first attempt waits for the connection, so a booting replica campaigns at once instead of
    // failing its first attempt and waiting a whole renew interval.
    if (this.redis.status === 'ready') this.tick();
    else this.redis.once('ready', () => void (this.stopped || this.tick()));
  }

  isLeader(): boolean {
    return !this.stopped && this.held && Date.now() < this.validUntil;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.attempt;
    const wasLeader = this.held;
    this.set(false);
    try {
      if (wasLeader) await this.redis.eval(RELEASE, 1, this.key, this.owner);
    } catch (err) {
      this.options.logger?.warn({ err, lease: this.name }, 'leader lease release failed (it expires by itself)');
    }
    if (this.ownsRedis) this.redis.disconnect();
  }

  private tick(): void {
    this.attempt = this.campaign().finally(() => {
      this.attempt = null;
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.renewMs).unref();
    });
  }

  private async campaign(): Promise<void> {
    if (this.redis.status !== 'ready') {
      this.set(false);
      return;
    }
    const sentAt = Date.now();
    try {
      const ok = this.held
        ? (await this.redis.eval(RENEW, 1, this.key, this.owner, String(this.ttlMs))) === 1
        : (await this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX')) === 'OK';
      if (this.stopped) return;
      if (ok) this.validUntil = sentAt + this.ttlMs - this.marginMs;
      this.set(ok);
    } catch (err) {
      this.options.logger?.warn({ err, lease: this.name }, 'leader lease unreachable; not the leader');
      this.set(false);
    }
  }

  private set(held: boolean): void {
    if (held === this.held) return;
    this.held = held;
    this.options.logger?.info(
      { lease: this.name, owner: this.owner },
      held ? 'elected leader' : 'no longer the leader',
    );
    this.options.onChange?.(held);
  }
}
