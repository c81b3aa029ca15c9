import type { EntityManager } from '@mikro-orm/core';
import type { ArtifactStore } from '../../../../lib/src/index';
import { Dataset } from '../dataset/dataset.entity';
import { ContentStatus, DatasetVersion } from '../dataset/dataset-version.entity';
import { recordAudit } from './audit.service';
import { AuditAction } from './governance.enums';

export interface RetentionOutcome {
  datasetId: string;
  deletedVersions: number[];
}

const DAY_MS = 86_400_000;

/**
 * Applies retention policies: per dataset, deletes the contents of versions beyond the newest
 * `keepLast` READY versions, of versions older than `maxAgeDays` (the latest version is always kept)
 * and of versions that failed to profile. Version
 * metadata and profiles stay; bytes are removed from the store only when no other version references
 * the same sha256. Each dataset with deletions gets a RETENTION_APPLIED audit entry.
 */
export async function applyRetention(em: EntityManager, store: ArtifactStore, now: Date, onlyDatasetId?: string, actorId = 'system'): Promise<RetentionOutcome[]> {
  const datasets = await em.find(Dataset, {
    ...(onlyDatasetId ? { id: onlyDatasetId } : {}),
    $or: [{ retentionKeepLast: { $ne: null } }, { retentionMaxAgeDays: { $ne: null } }],
  });
  const outcomes: RetentionOutcome[] = [];
  for (const dataset of datasets) {
    const versions = await em.find(DatasetVersion, { datasetId: dataset.id, contentDeletedAt: null, status: { $ne: ContentStatus.PROFILING } }, { orderBy: { version: 'desc' } });
    const ready = versions.filter((v) => v.status === ContentStatus.READY);
    // Contents that failed to profile are never usable: a policy removes them too.
    const failed = versions.filter((v) => v.status === ContentStatus.FAILED);
    const doomed = [...failed, ...ready.filter((v, i) => {
      if (v.version === dataset.latestVersion) return false;
      if (dataset.retentionKeepLast != null && i >= dataset.retentionKeepLast) return true;
      return dataset.retentionMaxAgeDays != null && now.getTime() - v.createdAt.getTime() > dataset.retentionMaxAgeDays * DAY_MS;
    })];
    if (doomed.length === 0) continue;
    for (const v of doomed) v.contentDeletedAt = now;
    await em.flush();
    for (const sha of new Set(doomed.map((v) => v.sha256))) {
      if ((await em.count(DatasetVersion, { sha256: sha, contentDeletedAt: null })) === 0) await store.delete(sha);
    }
    const deletedVersions = doomed.map((v) => v.version).sort((a, b) => a - b);
    recordAudit(em, {
      organizationId: dataset.organizationId,
      datasetId: dataset.id,
      actorId,
      action: AuditAction.RETENTION_APPLIED,
      details: { deletedVersions, keepLast: dataset.retentionKeepLast ?? null, maxAgeDays: dataset.retentionMaxAgeDays ?? null },
    });
    await em.flush();
    outcomes.push({ datasetId: dataset.id, deletedVersions });
  }
  return outcomes;
}
