import { Readable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/core';
import type { ArtifactStore, StoredArtifact } from '../../../../lib/src/index';
import { BadUserInputError, ForbiddenError, NotFoundError, csvField, viewerCan } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import { ContentFormatError, readRecords, takeRecords } from '../content/record.reader';
import type { ContentRecord } from '../content/record.reader';
import { AuditAction } from '../governance/governance.enums';
import type { GovernanceRepository } from '../governance/governance.repository';
import { detectPii, maskValue } from '../pii/pii.detector';
import type { DatasetProfile } from '../profiling/dataset.profiler';
import { profileContent } from '../profiling/dataset.profiler';
import type { QualityCheck } from '../quality/quality-check.entity';
import type { QualityService } from '../quality/quality.service';
import type { StoredColumn } from './dataset-column.type';
import type { Dataset } from './dataset.entity';
import { piiColumnsOf, searchTextOf } from './dataset.entity';
import { Classification } from './dataset.enums';
import type { DatasetRepository } from './dataset.repository';
import type { DatasetPreview } from './dataset.type';
import { ContentStatus, DatasetVersion } from './dataset-version.entity';

const PII_SAMPLE_ROWS = 200;

/** What profiling read from a version's bytes, before anything is written. */
export type ComputedProfile =
  { ok: true; profile: DatasetProfile; sample: ContentRecord[] } | { ok: false; error: string };

export type ProfileOutcome =
  | { ok: true; version: DatasetVersion; check: QualityCheck | null }
  | { ok: false; version: DatasetVersion; error: string };

/** Columns after profiling: detected PII classifies a column unless a person classified it (or reviewed the detection). */
function classifyColumns(dataset: Dataset, profile: DatasetProfile, sample: ContentRecord[]): StoredColumn[] {
  const findings = new Map(
    detectPii(profile.columns.map((c) => ({ name: c.name, values: sample.map((r) => r[c.name]) }))).map((f) => [
      f.column,
      f,
    ]),
  );
  const previous = new Map(dataset.columns.map((c) => [c.name, c]));
  return profile.columns.map((c): StoredColumn => {
    const before = previous.get(c.name);
    const pii = findings.get(c.name);
    const manual = before?.manual === true;
    return {
      name: c.name,
      type: c.type,
      classification: manual ? before.classification : pii ? Classification.PII : Classification.INTERNAL,
      detectedPii: pii?.kind ?? null,
      piiConfidence: pii?.confidence ?? null,
      piiReason: pii?.reason ?? null,
      piiReview: manual ? (before.piiReview ?? null) : null,
      description: before?.description ?? null,
      manual,
    };
  });
}

/** A dataset's content: versions of stored bytes, their profiles, previews and exports. */
export class DatasetContentService {
  constructor(
    private readonly deps: {
      datasets: DatasetRepository;
      governance: GovernanceRepository;
      quality: QualityService;
      store: ArtifactStore;
      maxPreviewRows: number;
    },
  ) {}

  /** Hands out the next version number and records the stored bytes as a version being profiled. */
  async createPendingVersion(
    em: EntityManager,
    dataset: Dataset,
    stored: StoredArtifact,
    createdById: string,
  ): Promise<DatasetVersion> {
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

  /**
   * Profiles a PROFILING version: streams its bytes through the profiler, detects PII columns on a
   * sample (columns a person classified keep their classification), marks it READY and, when it is the
   * newest, makes it the dataset's latest version and runs the quality rules on it. Content that cannot
   * be read marks the version FAILED with the reason.
   * @returns null when the version is gone or no longer PROFILING
   */
  async profileVersion(em: EntityManager, versionId: string): Promise<ProfileOutcome | null> {
    const computed = await this.computeProfile(em, versionId);
    return computed ? this.applyProfile(em, versionId, computed) : null;
  }

  /**
   * The reading half of `profileVersion` (writes nothing): the profile and PII sample of a PROFILING
   * version, or why its content cannot be read. @returns null when the version is gone or no longer PROFILING
   */
  async computeProfile(em: EntityManager, versionId: string): Promise<ComputedProfile | null> {
    const version = await this.deps.datasets.findVersion(em, versionId);
    if (!version || version.status !== ContentStatus.PROFILING) return null;
    try {
      const profile = await profileContent(this.deps.store.open(version.sha256), version.format);
      const sample = await takeRecords(this.deps.store.open(version.sha256), version.format, PII_SAMPLE_ROWS);
      if (profile.columns.length === 0) throw new ContentFormatError(1, 'content has no rows');
      return { ok: true, profile, sample };
    } catch (err) {
      if (!(err instanceof ContentFormatError)) throw err;
      return { ok: false, error: err.message };
    }
  }

  /**
   * The writing half of `profileVersion`, in `em` (a profiling job runs it in its claim-fenced
   * transaction): re-reads the version and applies the profile only while it is still PROFILING, so
   * a second run of the same job changes nothing. @returns null when the version is gone or no longer PROFILING
   */
  async applyProfile(em: EntityManager, versionId: string, computed: ComputedProfile): Promise<ProfileOutcome | null> {
    const version = await this.deps.datasets.findVersion(em, versionId);
    const dataset = version ? await this.deps.datasets.findById(em, version.datasetId) : null;
    if (!version || !dataset || version.status !== ContentStatus.PROFILING) return null;
    if (!computed.ok) {
      version.status = ContentStatus.FAILED;
      version.error = `Content is not valid ${version.format}: ${computed.error}`;
      await em.flush();
      return { ok: false, version, error: computed.error };
    }
    const { profile, sample } = computed;
    version.rowCount = profile.rowCount;
    version.profile = profile;
    if (version.version < dataset.latestVersion) {
      version.status = ContentStatus.READY;
      await em.flush();
      return { ok: true, version, check: null };
    }
    dataset.columns = classifyColumns(dataset, profile, sample);
    dataset.latestVersion = version.version;
    dataset.searchText = searchTextOf(dataset);
    await em.flush();
    // READY only after the rules ran, so a reader that waits for READY sees the version's check.
    const check = await this.deps.quality.run(em, dataset, 'NEW_VERSION');
    version.status = ContentStatus.READY;
    await em.flush();
    return { ok: true, version, check };
  }

  /**
   * Adds and profiles a version in one call (service-to-service creation, where the caller waits).
   * @throws BadUserInputError (field `content`) when the bytes are not valid for the dataset's format
   */
  async addContentVersion(
    em: EntityManager,
    dataset: Dataset,
    stored: StoredArtifact,
    createdById: string,
  ): Promise<{ version: DatasetVersion; check: QualityCheck | null }> {
    const pending = await this.createPendingVersion(em, dataset, stored, createdById);
    const outcome = await this.profileVersion(em, pending.id);
    if (!outcome) throw new Error(`version ${pending.id} vanished while profiling`);
    if (!outcome.ok)
      throw new BadUserInputError(outcome.version.error ?? 'Invalid content', [
        { field: 'content', message: outcome.error },
      ]);
    return { version: outcome.version, check: outcome.check };
  }

  /** The version the dataset's latest content is; null before the first is profiled. */
  latestVersion(scope: RequestScope, dataset: Dataset): Promise<DatasetVersion | null> {
    return this.deps.datasets.latestVersion(scope.em, dataset);
  }

  /** Content versions, newest first. */
  versionsOf(scope: RequestScope, dataset: Dataset): Promise<DatasetVersion[]> {
    return this.deps.datasets.versionsOf(scope.em, dataset.id);
  }

  /**
   * The first `limit` rows of the latest content. PII columns are masked unless the viewer holds
   * `catalog:read-pii`; an unmasked read of PII columns is written to the audit trail.
   * @returns null without content (none yet, or removed by retention)
   */
  async preview({ em, viewer }: RequestScope, dataset: Dataset, limit: number): Promise<DatasetPreview | null> {
    const max = this.deps.maxPreviewRows;
    if (limit < 1 || limit > max)
      throw new BadUserInputError('Invalid preview limit', [
        { field: 'limit', message: `must be between 1 and ${max}` },
      ]);
    if (dataset.latestVersion === 0) return null;
    const version = await this.deps.datasets.getVersion(em, dataset.id, dataset.latestVersion);
    if (version.contentDeletedAt) return null;
    const rows = await takeRecords(this.deps.store.open(version.sha256), version.format, limit);
    const pii = piiColumnsOf(dataset);
    const canReadPii = viewerCan(viewer, 'catalog:read-pii');
    const masked = canReadPii ? [] : pii;
    if (canReadPii && pii.length > 0) {
      this.deps.governance.recordAudit(em, {
        organizationId: dataset.organizationId,
        datasetId: dataset.id,
        actorId: viewer.id,
        action: AuditAction.PII_READ,
        details: { via: 'preview', version: version.version, columns: pii, rows: rows.length },
      });
      await em.flush();
    }
    return {
      version: version.version,
      columns: dataset.columns.map((c) => c.name),
      maskedColumns: masked,
      rows: rows.map((r) => {
        const out: Record<string, unknown> = {};
        for (const c of dataset.columns)
          out[c.name] = masked.includes(c.name) ? maskValue(r[c.name]) : (r[c.name] ?? null);
        return out;
      }),
    };
  }

  /**
   * The latest content, for export over the internal route: the stored bytes, or — with `columns` —
   * only those columns, in the stored format (a job reads what it uses). Reading PII columns needs
   * `catalog:read-pii` (only the PII columns read count), and the read is audited with the acting
   * service of a delegated token.
   * @throws NotFoundError without stored content; BadUserInputError for a column the dataset lacks;
   *   ForbiddenError naming the dataset, the PII columns and the permission
   */
  async openLatest(
    { em, viewer }: RequestScope,
    dataset: Dataset,
    columns?: readonly string[],
  ): Promise<{ version: DatasetVersion; stream: Readable; projected: boolean }> {
    const version = await this.deps.datasets.latestVersion(em, dataset);
    if (!version || version.contentDeletedAt) throw new NotFoundError('DatasetContent', dataset.id);
    const known = new Set(dataset.columns.map((c) => c.name));
    const unknown = (columns ?? []).filter((c) => !known.has(c));
    if (unknown.length > 0)
      throw new BadUserInputError(
        `Dataset "${dataset.name}" has no column ${unknown.map((c) => `"${c}"`).join(', ')}`,
        [{ field: 'columns', message: `unknown column(s) ${unknown.join(', ')} of dataset ${dataset.name}` }],
      );
    const read = columns && columns.length > 0 ? [...new Set(columns)] : null;
    const pii = piiColumnsOf(dataset).filter((c) => !read || read.includes(c));
    if (pii.length > 0) {
      if (!viewerCan(viewer, 'catalog:read-pii'))
        throw new ForbiddenError(
          `Reading column${pii.length > 1 ? 's' : ''} ${pii.map((c) => `"${c}"`).join(', ')} of dataset "${dataset.name}" (classified PII) needs the permission catalog:read-pii`,
        );
      this.deps.governance.recordAudit(em, {
        organizationId: dataset.organizationId,
        datasetId: dataset.id,
        actorId: viewer.id,
        action: AuditAction.PII_READ,
        details: {
          via: 'internal-content',
          version: version.version,
          columns: pii,
          ...(viewer.actor ? { actingService: viewer.actor } : {}),
        },
      });
      await em.flush();
    }
    const stored = this.deps.store.open(version.sha256);
    if (!read) return { version, stream: stored, projected: false };
    return { version, stream: Readable.from(project(stored, version.format, read)), projected: true };
  }
}

/** The content with only `columns`, in its own format (CSV with a header row, or JSON Lines). */
async function* project(source: Readable, format: DatasetVersion['format'], columns: string[]): AsyncGenerator<string> {
  if (format === 'CSV') yield `${columns.map(csvField).join(',')}\n`;
  for await (const record of readRecords(source, format)) {
    if (format === 'CSV') yield `${columns.map((c) => csvField(record[c])).join(',')}\n`;
    else yield `${JSON.stringify(Object.fromEntries(columns.map((c) => [c, record[c] ?? null])))}\n`;
  }
}
