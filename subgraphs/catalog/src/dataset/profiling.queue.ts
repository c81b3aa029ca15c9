import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from '../../../../lib/src/index';
import type { JobContext, JobQueue } from '../../../../lib/src/jobs';
import type { CatalogMetrics } from '../catalog.metrics';
import type { DatasetContentService } from './dataset-content.service';
import type { DatasetRepository } from './dataset.repository';
import type { DatasetVersion } from './dataset-version.entity';
import { DATASET_VERSION_TOPIC } from './dataset-version.event';
import type { DatasetVersionStatusEvent } from './dataset-version.event';

/** The kind of catalog's profiling jobs in the claim table (`job_claim`). */
export const PROFILING_JOB = 'profiling';

/** The claim's job id of a version's profiling. */
export const profilingJobId = (versionId: string): string => `profile:${versionId}`;

/**
 * Profiling as a job of lib/src/jobs: the version row (status PROFILING) stays the truth, the claim
 * decides which replica profiles it (once across replicas; taken over after a lease when a replica
 * dies). The bytes are read outside any transaction; the results are written in the claim-fenced
 * transaction, and only while the version is still PROFILING, so a second run writes nothing.
 */
export class ProfilingQueue {
  constructor(
    private readonly deps: {
      orm: MikroORM;
      jobs: JobQueue;
      content: DatasetContentService;
      datasets: DatasetRepository;
      logger: Logger;
      metrics?: CatalogMetrics;
      /** Tells subscribers (`datasetVersionStatusChanged`) when a version's profiling ended. */
      publish?: (topic: string, payload: unknown) => void;
    },
  ) {}

  private announce(version: DatasetVersion | null): void {
    if (!version || !this.deps.publish) return;
    const event: DatasetVersionStatusEvent = {
      organizationId: version.organizationId,
      datasetId: version.datasetId,
      versionId: version.id,
      version: version.version,
      status: version.status,
      error: version.error ?? null,
      rowCount: version.rowCount ?? null,
    };
    this.deps.publish(DATASET_VERSION_TOPIC, event);
  }

  /** Makes this process profile versions (processes that consume jobs only), at most `concurrency` at once. */
  register(concurrency: number): void {
    this.deps.jobs.register<{ versionId: string }>(PROFILING_JOB, (ctx) => this.run(ctx), { concurrency });
  }

  /** Profiles a version in the background, once. @returns false when it was already enqueued */
  enqueue(versionId: string): Promise<boolean> {
    return this.deps.jobs.enqueue(PROFILING_JOB, profilingJobId(versionId), { versionId });
  }

  /**
   * Versions left PROFILING before profiling ran as jobs (no claim row) get one; versions with a claim
   * are the claim sweep's (enqueue is idempotent). @returns how many were enqueued
   */
  async resume(): Promise<number> {
    const pending = await this.deps.datasets.findProfiling(this.deps.orm.em.fork());
    let added = 0;
    for (const v of pending) if (await this.enqueue(v.id)) added++;
    return added;
  }

  private async run(ctx: JobContext<{ versionId: string }>): Promise<void> {
    const { metrics, logger, content } = this.deps;
    const { versionId } = ctx.payload;
    const timer = metrics?.profiling.startTimer();
    try {
      const computed = await content.computeProfile(this.deps.orm.em.fork(), versionId);
      // Cancel or shutdown while reading: nothing was written; a hand-back profiles it again.
      ctx.signal.throwIfAborted();
      if (!computed) {
        timer?.({ outcome: 'skipped' });
        return;
      }
      const outcome = await ctx.fenced((em) => content.applyProfile(em, versionId, computed));
      if (outcome && !outcome.ok) logger.info({ versionId, error: outcome.error }, 'content refused');
      if (outcome?.ok) metrics?.profiledRows.inc(outcome.version.rowCount ?? 0);
      // After the fenced transaction committed: a subscriber that reads the version sees it.
      this.announce(outcome?.version ?? null);
      timer?.({ outcome: outcome ? (outcome.ok ? 'ready' : 'failed') : 'skipped' });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      timer?.({ outcome: 'error' });
      logger.error({ err, versionId }, 'profiling failed');
      await ctx.fenced((em) => this.deps.datasets.failProfiling(em, versionId, 'Internal error while profiling'));
      this.announce(await this.deps.datasets.findVersion(this.deps.orm.em.fork(), versionId));
      throw err;
    }
  }
}
