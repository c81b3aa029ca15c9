import type { MikroORM } from '@mikro-orm/core';
import type { ArtifactStore, Logger, WorkerPool } from '../../../../lib/src/index';
import type { CatalogMetrics } from '../catalog.metrics';
import { profileVersion } from './dataset-content.service';
import { ContentStatus, DatasetVersion } from './dataset-version.entity';

/** Profiling as persisted background work: the version row (status PROFILING) is the job. */
export interface ProfilingQueue {
  enqueue(versionId: string): void;
  /** Re-submits versions left PROFILING by a process that stopped. @returns how many */
  resume(): Promise<number>;
}

/** Runs `profileVersion` on the worker pool, one task per version id. */
export function createProfilingQueue(opts: { orm: MikroORM; store: ArtifactStore; pool: WorkerPool; logger: Logger; metrics?: CatalogMetrics }): ProfilingQueue {
  const enqueue = (versionId: string): void => {
    opts.pool.submit(`profile:${versionId}`, async () => {
      const timer = opts.metrics?.profiling.startTimer();
      try {
        const outcome = await profileVersion(opts.orm.em.fork(), opts.store, versionId);
        if (outcome && !outcome.ok) opts.logger.info({ versionId, error: outcome.error }, 'content refused');
        if (outcome?.ok) opts.metrics?.profiledRows.inc(outcome.version.rowCount ?? 0);
        timer?.({ outcome: outcome?.ok ? 'ready' : 'failed' });
      } catch (err) {
        timer?.({ outcome: 'error' });
        opts.logger.error({ err, versionId }, 'profiling failed');
        const em = opts.orm.em.fork();
        await em.nativeUpdate(DatasetVersion, { id: versionId, status: ContentStatus.PROFILING }, { status: ContentStatus.FAILED, error: 'Internal error while profiling' });
      }
    });
  };
  return {
    enqueue,
    async resume() {
      const pending = await opts.orm.em.fork().find(DatasetVersion, { status: ContentStatus.PROFILING }, { orderBy: { createdAt: 'asc' } });
      for (const v of pending) enqueue(v.id);
      return pending.length;
    },
  };
}
