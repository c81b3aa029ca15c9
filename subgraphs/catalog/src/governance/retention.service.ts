import type { EntityManager } from '@mikro-orm/core';
import type { ArtifactStore } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { Dataset } from '../dataset/dataset.entity';
import type { DatasetRepository } from '../dataset/dataset.repository';
import type { DatasetVersion } from '../dataset/dataset-version.entity';
import { ContentStatus } from '../dataset/dataset-version.entity';
import { AuditAction } from './governance.enums';
import type { GovernanceRepository } from './governance.repository';

export interface RetentionOutcome {
  datasetId: string;
  deletedVersions: number[];
}

export interface RetentionRun {
  /** The time the policies are measured against. @default the service's clock */
  now?: Date;
  /** Apply only this dataset's policy. */
  datasetId?: string;
  /** Who the audit entries name. @default 'system' (the scheduler) */
  actorId?: string;
}

const DAY_MS = 86_400_000;

/** Which stored contents a dataset's policy removes: failed ones, and READY ones beyond `keepLast` or older than `maxAgeDays` (never the latest). */
function doomedVersions(dataset: Dataset, stored: DatasetVersion[], now: Date): DatasetVersion[] {
  const ready = stored.filter((v) => v.status === ContentStatus.READY);
  // Contents that failed to profile are never usable: a policy removes them too.
  const failed = stored.filter((v) => v.status === ContentStatus.FAILED);
  return [
    ...failed,
    ...ready.filter((v, i) => {
      if (v.version === dataset.latestVersion) return false;
      if (dataset.retentionKeepLast != null && i >= dataset.retentionKeepLast) return true;
      return (
        dataset.retentionMaxAgeDays != null &&
        now.getTime() - v.createdAt.getTime() > dataset.retentionMaxAgeDays * DAY_MS
      );
    }),
  ];
}

/**
 * Applies retention policies. Version metadata and profiles stay; bytes are removed from the store
 * only when no other version references the same sha256. Each dataset with deletions gets a
 * RETENTION_APPLIED audit entry.
 */
export class RetentionService {
  constructor(
    private readonly datasets: DatasetRepository,
    private readonly governance: GovernanceRepository,
    private readonly store: ArtifactStore,
    private readonly clock: Clock,
  ) {}

  async apply(em: EntityManager, run: RetentionRun = {}): Promise<RetentionOutcome[]> {
    const now = run.now ?? this.clock();
    const outcomes: RetentionOutcome[] = [];
    for (const dataset of await this.datasets.findWithRetention(em, run.datasetId)) {
      const doomed = doomedVersions(dataset, await this.datasets.storedSettledVersionsOf(em, dataset.id), now);
      if (doomed.length === 0) continue;
      for (const v of doomed) v.contentDeletedAt = now;
      await em.flush();
      for (const sha of new Set(doomed.map((v) => v.sha256)))
        if (!(await this.datasets.isContentReferenced(em, sha))) await this.store.delete(sha);
      const deletedVersions = doomed.map((v) => v.version).sort((a, b) => a - b);
      this.governance.recordAudit(em, {
        organizationId: dataset.organizationId,
        datasetId: dataset.id,
        actorId: run.actorId ?? 'system',
        action: AuditAction.RETENTION_APPLIED,
        details: {
          deletedVersions,
          keepLast: dataset.retentionKeepLast ?? null,
          maxAgeDays: dataset.retentionMaxAgeDays ?? null,
        },
      });
      await em.flush();
      outcomes.push({ datasetId: dataset.id, deletedVersions });
    }
    return outcomes;
  }
}
