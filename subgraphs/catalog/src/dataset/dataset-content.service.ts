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
import { Dataset, piiColumnsOf, searchTextOf } from './dataset.entity';
import { Classification } from './dataset.enums';
import { ContentStatus, DatasetVersion } from './dataset-version.entity';

const PII_SAMPLE_ROWS = 200;

/** Hands out the next version number and records the stored bytes as a version being profiled. */
export async function createPendingVersion(em: EntityManager, dataset: Dataset, stored: StoredArtifact, createdById: string): Promise<DatasetVersion> {
  dataset.versionCounter += 1;
  const version = em.create(DatasetVersion, {
    datasetId: dataset.id,
    organizationId: dataset.organizationId,
    version: dataset.versionCounter,
    sha256: stored.sha256,
    size: stored.size,
    format: dataset.format,
    createdById,
    status: ContentStatus.PROFILING,
  });
  await em.flush();
  return version;
}

export type ProfileOutcome = { ok: true; version: DatasetVersion; check: QualityCheck | null } | { ok: false; version: DatasetVersion; error: string };

/**
 * Profiles a PROFILING version: streams its bytes through the profiler, detects PII columns on a
 * sample (columns a person classified keep their classification), marks it READY and, when it is the
 * newest, makes it the dataset's latest version and runs the quality rules on it. Content that cannot
 * be read marks the version FAILED with the reason.
 */
export async function profileVersion(em: EntityManager, store: ArtifactStore, versionId: string): Promise<ProfileOutcome | null> {
  const version = await em.findOne(DatasetVersion, { id: versionId });
  const dataset = version ? await em.findOne(Dataset, { id: version.datasetId }) : null;
  if (!version || !dataset || version.status !== ContentStatus.PROFILING) return null;
  let profile;
  let sample: ContentRecord[];
  try {
    profile = await profileContent(store.open(version.sha256), version.format);
    sample = await takeRecords(store.open(version.sha256), version.format, PII_SAMPLE_ROWS);
    if (profile.columns.length === 0) throw new ContentFormatError(1, 'content has no rows');
  } catch (err) {
    if (!(err instanceof ContentFormatError)) throw err;
    version.status = ContentStatus.FAILED;
    version.error = `Content is not valid ${version.format}: ${err.message}`;
    await em.flush();
    return { ok: false, version, error: err.message };
  }
  version.rowCount = profile.rowCount;
  version.profile = profile;
  if (version.version < dataset.latestVersion) {
    version.status = ContentStatus.READY;
    await em.flush();
    return { ok: true, version, check: null };
  }
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
  dataset.latestVersion = version.version;
  dataset.searchText = searchTextOf(dataset);
  await em.flush();
  // READY only after the rules ran, so a reader that waits for READY sees the version's check.
  const check = await runQualityChecks(em, store, dataset, 'NEW_VERSION');
  version.status = ContentStatus.READY;
  await em.flush();
  return { ok: true, version, check };
}

/**
 * Adds and profiles a version in one call (service-to-service creation, where the caller waits).
 * @throws BadUserInputError (field `content`) when the bytes are not valid for the dataset's format
 */
export async function addContentVersion(em: EntityManager, store: ArtifactStore, dataset: Dataset, stored: StoredArtifact, createdById: string): Promise<{ version: DatasetVersion; check: QualityCheck | null }> {
  const pending = await createPendingVersion(em, dataset, stored, createdById);
  const outcome = await profileVersion(em, store, pending.id);
  if (!outcome) throw new Error(`version ${pending.id} vanished while profiling`);
  if (!outcome.ok) throw new BadUserInputError(outcome.version.error ?? 'Invalid content', [{ field: 'content', message: outcome.error }]);
  return { version: outcome.version, check: outcome.check };
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
  const pii = piiColumnsOf(dataset);
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
