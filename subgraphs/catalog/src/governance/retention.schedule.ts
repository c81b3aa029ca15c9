import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from '../../../../lib/src/index';
import type { JobQueue } from '../../../../lib/src/jobs';
import type { Leadership } from '../../../../lib/src/kit/leader';
import type { RetentionService } from './retention.service';

/**
 * Applies retention policies every `intervalSeconds` (0 disables). Runs never overlap: the next one is
 * scheduled when the previous one ends. Each run has its own EntityManager fork. With a `leader`, a
 * tick runs only on the replica that holds the lease (one run per interval across replicas). With
 * `jobs`, a run also deletes the service's finished job claims (done, failed, cancelled) older than
 * `claimRetentionMs` (default 7 days); the job rows themselves are kept.
 */
export class RetentionSchedule {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private runs = 0;

  constructor(
    private readonly deps: {
      orm: MikroORM;
      retention: RetentionService;
      logger: Logger;
      intervalSeconds: number;
      leader?: Leadership;
      jobs?: JobQueue;
      /** @default 7 days */
      claimRetentionMs?: number;
    },
  ) {}

  /** Scheduled runs this replica has made (only the leader runs them). */
  get runsMade(): number {
    return this.runs;
  }

  start(): this {
    if (this.deps.intervalSeconds <= 0 || !this.stopped) return this;
    this.stopped = false;
    this.schedule();
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tick(), this.deps.intervalSeconds * 1000).unref();
  }

  private async tick(): Promise<void> {
    if (this.deps.leader && !this.deps.leader.isLeader()) {
      if (!this.stopped) this.schedule();
      return;
    }
    this.runs++;
    try {
      const outcomes = await this.deps.retention.apply(this.deps.orm.em.fork());
      if (outcomes.length) this.deps.logger.info({ outcomes }, 'retention applied');
      if (this.deps.jobs) {
        const before = Date.now() - (this.deps.claimRetentionMs ?? 7 * 24 * 3600 * 1000);
        const purged = await this.deps.jobs.store.purgeFinished(before);
        if (purged) this.deps.logger.info({ purged }, 'finished job claims purged');
      }
    } catch (err) {
      this.deps.logger.error({ err }, 'retention run failed');
    }
    if (!this.stopped) this.schedule();
  }
}
