import type { EntityManager } from '@mikro-orm/core';
import type { ArtifactStore, StoredArtifact, Viewer } from '../../../../lib/src/index';
import { BadUserInputError, viewerCan } from '../../../../lib/src/index';
import { ContentFormatError, takeRecords } from '../content/record.reader';
import type { ContentRecord } from '../content/record.reader';
import { recordAudit } from '../governance/audit.service';
import { AuditAction } from '../governance/governance.enums';
import { detectPii, maskValue } from '../pii/pii.detector';
import { profileContent } from '../profiling/dataset.profiler';
import { runQualityChecks } from '../quality/quality.service';
import type { QualityCheck } from '../quality/quality-check.entity';
import type { StoredColumn } from './dataset-column';
import { searchTextOf } from './dataset.entity';
import type { Dataset } from './dataset.entity';
import { Classification } from './dataset.enums';
import { DatasetVersion } from './dataset-version.entity';

const PII_SAMPLE_ROWS = 200;

/**
 * Makes stored bytes the dataset's next content version: streams them through the profiler, detects
 * PII columns on a sample (columns a person classified keep their classification), bumps the
 * version and runs the quality rules on it.
 * @throws BadUserInputError (field `content`) when the bytes are not valid for the dataset's format
 */
export async function addContentVersion(
  em: EntityManager,
  store: ArtifactStore,
  dataset: Dataset,
  stored: StoredArtifact,
  createdById: string,
): Promise<{ version: DatasetVersion; check: QualityCheck | null }> {
  let profile;
  let sample: ContentRecord[];
  try {
    profile = await profileContent(store.open(stored.sha256), dataset.format);
    sample = await takeRecords(store.open(stored.sha256), dataset.format, PII_SAMPLE_ROWS);
  } catch (err) {
    if (err instanceof ContentFormatError) throw new BadUserInputError(`Content is not valid ${dataset.format}: ${err.message}`, [{ field: 'content', message: err.message }]);
    throw err;
  }
  if (profile.columns.length === 0) throw new BadUserInputError('Content has no rows', [{ field: 'content', message: 'has no rows' }]);
  const findings = new Map(detectPii(profile.columns.map((c) => ({ name: c.name, values: sample.map((r) => r[c.name]) }))).map((f) => [f.column, f]));
  const previous = new Map(dataset.columns.map((c) => [c.name, c]));
  dataset.columns = profile.columns.map((c): StoredColumn => {
    const before = previous.get(c.name);
    const pii = findings.get(c.name);
    const manual = before?.manual === true;
    return {
      name: c.name,
      type: c.type,
      classification: manual ? before.classification : pii ? Classification.PII : Classification.INTERNAL,
      detectedPii: pii?.kind ?? null,
      description: before?.description ?? null,
      manual,
    };
  });
  dataset.latestVersion += 1;
  dataset.searchText = searchTextOf(dataset);
  const version = em.create(DatasetVersion, {
    datasetId: dataset.id,
    organizationId: dataset.organizationId,
    version: dataset.latestVersion,
    sha256: stored.sha256,
    size: stored.size,
    format: dataset.format,
    rowCount: profile.rowCount,
    profile,
    createdById,
  });
  em.persist(version);
  await em.flush();
  const check = await runQualityChecks(em, store, dataset, 'NEW_VERSION');
  return { version, check };
}

export interface DatasetPreview {
  version: number;
  columns: string[];
  maskedColumns: string[];
  rows: Record<string, unknown>[];
}

/**
 * The first rows of the latest content. PII columns are masked unless the viewer holds
 * `catalog:read-pii`; an unmasked read of PII columns is written to the audit trail.
 */
export async function previewDataset(em: EntityManager, store: ArtifactStore, dataset: Dataset, viewer: Viewer, limit: number): Promise<DatasetPreview | null> {
  if (dataset.latestVersion === 0) return null;
  const version = await em.findOneOrFail(DatasetVersion, { datasetId: dataset.id, version: dataset.latestVersion });
  if (version.contentDeletedAt) return null;
  const rows = await takeRecords(store.open(version.sha256), version.format, limit);
  const pii = dataset.columns.filter((c) => c.classification === Classification.PII).map((c) => c.name);
  const canReadPii = viewerCan(viewer, 'catalog:read-pii');
  const masked = canReadPii ? [] : pii;
  if (canReadPii && pii.length > 0) {
    recordAudit(em, { organizationId: dataset.organizationId, datasetId: dataset.id, actorId: viewer.id, action: AuditAction.PII_READ, details: { via: 'preview', version: version.version, columns: pii, rows: rows.length } });
    await em.flush();
  }
  return {
    version: version.version,
    columns: dataset.columns.map((c) => c.name),
    maskedColumns: masked,
    rows: rows.map((r) => {
      const out: Record<string, unknown> = {};
      for (const c of dataset.columns) out[c.name] = masked.includes(c.name) ? maskValue(r[c.name]) : (r[c.name] ?? null);
      return out;
    }),
  };
}
