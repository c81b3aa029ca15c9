import type { MikroORM } from '@mikro-orm/core';
import type { Logger, WorkerPool } from '../../../../lib/src/index';
import type { CatalogMetrics } from '../catalog.metrics';
import type { DatasetContentService } from './dataset-content.service';
import type { DatasetRepository } from './dataset.repository';

/**
 * Profiling as persisted background work: the version row (status PROFILING) is the job, run on the
 * worker pool with an EntityManager fork of its own.
 */
export class ProfilingQueue {
  constructor(
    private readonly deps: {
      orm: MikroORM;
      pool: WorkerPool;
      content: DatasetContentService;
      datasets: DatasetRepository;
      logger: Logger;
      metrics?: CatalogMetrics;
    },
  ) {}

  /** Profiles a version in the background, once: a version no longer PROFILING is skipped. */
  enqueue(versionId: string): void {
    const { pool, metrics, logger } = this.deps;
    pool.submit(`profile:${versionId}`, async () => {
      const timer = metrics?.profiling.startTimer();
      try {
        const outcome = await this.deps.content.profileVersion(this.deps.orm.em.fork(), versionId);
        if (outcome && !outcome.ok) logger.info({ versionId, error: outcome.error }, 'content refused');
        if (outcome?.ok) metrics?.profiledRows.inc(outcome.version.rowCount ?? 0);
        timer?.({ outcome: outcome?.ok ? 'ready' : 'failed' });
      } catch (err) {
        timer?.({ outcome: 'error' });
        logger.error({ err, versionId }, 'profiling failed');
        await this.deps.datasets.failProfiling(this.deps.orm.em.fork(), versionId, 'Internal error while profiling');
      }
    });
  }

  /** Re-submits versions left PROFILING by a process that stopped. @returns how many */
  async resume(): Promise<number> {
    const pending = await this.deps.datasets.findProfiling(this.deps.orm.em.fork());
    for (const v of pending) this.enqueue(v.id);
    return pending.length;
  }
}
