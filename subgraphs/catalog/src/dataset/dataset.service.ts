import type { EntityManager } from '@mikro-orm/core';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { ArtifactStore, FieldError, UploadManager, UploadTicket } from '../../../../lib/src/index';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { AccessService } from '../governance/access.service';
import { rankPage, tokenize } from '../search/dataset.search';
import type { DatasetColumn, StoredColumn } from './dataset-column.type';
import type { DatasetContentService } from './dataset-content.service';
import { Dataset, searchTextOf } from './dataset.entity';
import type { DatasetFormat } from './dataset.enums';
import { AccessLevel, Classification, CONTENT_TYPES, PiiReviewDecision } from './dataset.enums';
import type { ColumnClassificationInput, CreateDatasetUploadInput, DatasetFilterInput } from './dataset.input';
import type { DatasetRepository } from './dataset.repository';
import type { DatasetConnection } from './dataset.type';
import type { DatasetVersion } from './dataset-version.entity';
import type { ProfilingQueue } from './profiling.queue';

/** How long a repeated keyed create waits for the first call's content to be profiled. */
const FIRST_CONTENT_WAIT_MS = 60_000;
/** The upload purpose of dataset content. */
export const DATASET_CONTENT_PURPOSE = 'DATASET_CONTENT';

// Candidates ranked per query; beyond this the newest datasets are ranked.
const CANDIDATE_LIMIT = 2000;

export interface DatasetFields {
  name?: string | null;
  description?: string | null;
  format?: DatasetFormat;
  tags?: string[] | null;
  classification?: Classification | null;
  columns?: ColumnClassificationInput[] | null;
  schemaVersionId?: string | null;
}

export interface DatasetSearchArgs extends DatasetFilterInput {
  query?: string | null;
  first: number;
  after?: string | null;
}

// SchemaVersion ids are the schema registry's global ids (decimal strings today); accept any plain id.
const SCHEMA_VERSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** @throws BadUserInputError naming every invalid field */
function check(fields: DatasetFields, creating: boolean): void {
  const errors: FieldError[] = [];
  if (creating || fields.name !== undefined) {
    const name = fields.name?.trim() ?? '';
    if (!name) errors.push({ field: 'name', message: 'must not be empty' });
    else if (name.length > 200) errors.push({ field: 'name', message: 'must be at most 200 characters' });
  }
  if (fields.description && fields.description.length > 10_000)
    errors.push({ field: 'description', message: 'must be at most 10000 characters' });
  if (fields.tags) {
    if (fields.tags.length > 50) errors.push({ field: 'tags', message: 'at most 50 tags' });
    if (fields.tags.some((t) => !/^[\p{L}\p{N}_:.-]{1,64}$/u.test(t)))
      errors.push({ field: 'tags', message: 'each tag is 1-64 letters, digits, _ : . or -' });
  }
  if (fields.schemaVersionId && !SCHEMA_VERSION_ID.test(fields.schemaVersionId))
    errors.push({ field: 'schemaVersionId', message: 'must be a SchemaVersion id' });
  if (errors.length)
    throw new BadUserInputError(`Invalid dataset: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
}

/** Column classifications a person gave: they win over detection from then on (`manual`). */
function applyColumns(columns: StoredColumn[], given: ColumnClassificationInput[]): StoredColumn[] {
  const out = columns.map((c) => ({ ...c }));
  for (const g of given) {
    const existing = out.find((c) => c.name === g.name);
    if (existing)
      Object.assign(existing, {
        classification: g.classification,
        description: g.description ?? existing.description ?? null,
        manual: true,
        piiReview: null,
      });
    else
      out.push({
        name: g.name,
        type: 'NULL',
        classification: g.classification,
        detectedPii: null,
        description: g.description ?? null,
        manual: true,
      });
  }
  return out;
}

/** Datasets: registration, metadata, search, uploads of new content versions and deletion. */
export class DatasetService {
  constructor(
    private readonly deps: {
      datasets: DatasetRepository;
      access: AccessService;
      content: DatasetContentService;
      profiling: ProfilingQueue;
      uploads: UploadManager;
      store: ArtifactStore;
      maxContentBytes: number;
    },
  ) {}

  /**
   * Whether a subscriber may hear about a version of this dataset: its organization's, and visible to
   * it now (read in a fresh unit of work: a subscription outlives any grant or classification it saw).
   */
  async announcesTo(scope: RequestScope, event: { organizationId: string; datasetId: string }): Promise<boolean> {
    if (event.organizationId !== scope.viewer.organizationId) return false;
    const fresh = { viewer: scope.viewer, em: scope.em.fork() };
    return (await this.deps.access.visibleDataset(fresh, event.datasetId)) !== null;
  }

  /** A dataset the viewer can read; NOT_FOUND otherwise. */
  async get(scope: RequestScope, id: string): Promise<Dataset> {
    return (await this.deps.access.requireDataset(scope, id, AccessLevel.READ)).dataset;
  }

  /**
   * Full-text search over the datasets the viewer can see, with filters and Relay-style pagination:
   * the database narrows candidates (visibility, filters, a LIKE prefilter per term), then results are
   * ranked (search/dataset.search.ts). Without a query, newest first.
   */
  async searchPage(scope: RequestScope, args: DatasetSearchArgs): Promise<DatasetConnection> {
    if (args.first < 0 || args.first > 100)
      throw new BadUserInputError('first must be between 0 and 100', [
        { field: 'first', message: 'must be between 0 and 100' },
      ]);
    const terms = args.query ? tokenize(args.query) : [];
    const tags = (args.tags ?? []).map((t) => t.toLowerCase());
    const visible = await this.deps.access.visibleFilter(scope);
    const candidates = await this.deps.datasets.searchCandidates(
      scope.em,
      visible,
      { terms, tags, classification: args.classification, ownerId: args.ownerId, format: args.format },
      CANDIDATE_LIMIT,
    );
    const page = rankPage(candidates, terms, tags, args.first, args.after);
    return {
      edges: page.hits.map((h) => ({ cursor: h.cursor, node: h.dataset, score: h.score })),
      totalCount: page.totalCount,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.hits[0]?.cursor ?? null,
        endCursor: page.hits[page.hits.length - 1]?.cursor ?? null,
      },
    };
  }

  /** Registers a dataset owned by the viewer in the viewer's organization. */
  async create(
    { em, viewer }: RequestScope,
    fields: DatasetFields & { format: DatasetFormat },
    creationKey?: string,
  ): Promise<Dataset> {
    check(fields, true);
    const name = fields.name!.trim();
    await this.assertNameFree(em, viewer.organizationId, name);
    const dataset = em.create(Dataset, {
      organizationId: viewer.organizationId,
      ownerId: viewer.id,
      name,
      description: fields.description ?? null,
      format: fields.format,
      tags: [...new Set(fields.tags ?? [])],
      classification: fields.classification ?? Classification.INTERNAL,
      schemaVersionId: fields.schemaVersionId ?? null,
      columns: applyColumns([], fields.columns ?? []),
      creationKey: creationKey ?? null,
    });
    dataset.searchText = searchTextOf(dataset);
    await em.flush();
    return dataset;
  }

  /** Changes metadata (needs WRITE) and governance fields (classifications need OWNER); the format is fixed at creation. */
  async update(scope: RequestScope, id: string, fields: DatasetFields): Promise<Dataset> {
    const governs = fields.classification != null || (fields.columns?.length ?? 0) > 0;
    const { dataset } = await this.deps.access.requireDataset(
      scope,
      id,
      governs ? AccessLevel.OWNER : AccessLevel.WRITE,
    );
    check(fields, false);
    if (fields.name != null && fields.name.trim() !== dataset.name) {
      await this.assertNameFree(scope.em, dataset.organizationId, fields.name.trim(), dataset.id);
      dataset.name = fields.name.trim();
    }
    if (fields.description !== undefined) dataset.description = fields.description;
    if (fields.tags) dataset.tags = [...new Set(fields.tags)];
    if (fields.classification) dataset.classification = fields.classification;
    if (fields.columns) dataset.columns = applyColumns(dataset.columns, fields.columns);
    if (fields.schemaVersionId !== undefined) dataset.schemaVersionId = fields.schemaVersionId;
    dataset.searchText = searchTextOf(dataset);
    await scope.em.flush();
    return dataset;
  }

  /**
   * A data steward's decision on a column's PII detection; needs OWNER. CONFIRM classifies the column
   * PII, DISMISS classifies it INTERNAL; either way the decision is kept (`manual`), so later profiling
   * does not override it, and everything reading PII flags (content enforcement, synthetic) follows it.
   * @throws BadUserInputError (field `column`) for a column the dataset does not have
   */
  async reviewColumnPii(
    scope: RequestScope,
    id: string,
    column: string,
    decision: PiiReviewDecision,
  ): Promise<Dataset> {
    const { dataset } = await this.deps.access.requireDataset(scope, id, AccessLevel.OWNER);
    const existing = dataset.columns.find((c) => c.name === column);
    if (!existing)
      throw new BadUserInputError(`Dataset ${dataset.name} has no column "${column}"`, [
        { field: 'column', message: `dataset ${dataset.name} has no column "${column}"` },
      ]);
    const classification = decision === PiiReviewDecision.CONFIRM ? Classification.PII : Classification.INTERNAL;
    dataset.columns = dataset.columns.map((c) =>
      c.name === column ? { ...c, classification, piiReview: decision, manual: true } : c,
    );
    dataset.searchText = searchTextOf(dataset);
    await scope.em.flush();
    return dataset;
  }

  /** Removes a dataset, its metadata and the content no other version shares; needs OWNER. */
  async delete(scope: RequestScope, id: string): Promise<boolean> {
    const { dataset } = await this.deps.access.requireDataset(scope, id, AccessLevel.OWNER);
    const shas = await this.deps.datasets.storedShasOf(scope.em, dataset.id);
    await this.deps.datasets.purge(scope.em, dataset.id);
    await this.deleteUnreferenced(scope.em, shas);
    return true;
  }

  /** A short-lived URL to PUT dataset content to; `addVersion` then takes its id. */
  createUpload({ viewer }: RequestScope, input: CreateDatasetUploadInput): UploadTicket {
    const max = this.deps.maxContentBytes;
    if (input.purpose !== DATASET_CONTENT_PURPOSE)
      throw new BadUserInputError(`Unknown upload purpose`, [
        { field: 'purpose', message: `must be ${DATASET_CONTENT_PURPOSE}` },
      ]);
    if (input.contentType && !Object.values(CONTENT_TYPES).includes(input.contentType)) {
      throw new BadUserInputError('Unsupported content type', [
        { field: 'contentType', message: `must be ${Object.values(CONTENT_TYPES).join(' or ')}` },
      ]);
    }
    if (input.size != null && input.size > max)
      throw new BadUserInputError('Content too large', [{ field: 'size', message: `must be at most ${max} bytes` }]);
    return this.deps.uploads.create({
      purpose: input.purpose,
      filename: input.filename,
      contentType: input.contentType ?? undefined,
      organizationId: viewer.organizationId,
      userId: viewer.id,
    });
  }

  /** Makes a finished upload the next content version (PROFILING) and profiles it in the background; needs WRITE. */
  async addVersion(scope: RequestScope, datasetId: string, uploadId: string): Promise<DatasetVersion> {
    const { dataset } = await this.deps.access.requireDataset(scope, datasetId, AccessLevel.WRITE);
    const upload = await this.deps.uploads.get(uploadId, scope.viewer.organizationId);
    if (!upload || upload.purpose !== DATASET_CONTENT_PURPOSE) throw new NotFoundError('Upload', uploadId);
    const version = await this.deps.content.createPendingVersion(scope.em, dataset, upload, scope.viewer.id);
    await this.deps.profiling.enqueue(version.id);
    return version;
  }

  /**
   * Registers a dataset with its first content, profiled before this returns (service-to-service
   * creation). Content that cannot be stored or read leaves no half-registered dataset behind.
   * @throws BadUserInputError (field `content`) when the bytes are not valid for the format; PayloadTooLargeError past the size limit
   */
  async createWithContent(
    scope: RequestScope,
    fields: DatasetFields & { format: DatasetFormat },
    content: string,
  ): Promise<{ dataset: Dataset; version: DatasetVersion }> {
    const dataset = await this.create(scope, fields);
    return this.addFirstContent(scope, dataset, content);
  }

  /**
   * `createWithContent` made idempotent by a key of the caller (a service's job id): the first call
   * creates the dataset, any later one with the same key in the organization answers with that
   * dataset (`created: false`), also when two calls race (the key is unique per organization). A
   * dataset whose first call died before its content was stored gets the content now.
   */
  async createWithContentOnce(
    scope: RequestScope,
    key: string,
    fields: DatasetFields & { format: DatasetFormat },
    content: string,
  ): Promise<{ dataset: Dataset; version: DatasetVersion; created: boolean }> {
    if (!key.trim() || key.length > 200)
      throw new BadUserInputError('Invalid idempotency key', [
        { field: 'idempotency-key', message: 'must be 1 to 200 characters' },
      ]);
    const existing = () =>
      scope.em.fork().findOne(Dataset, { organizationId: scope.viewer.organizationId, creationKey: key });
    const found = await existing();
    if (found) return { ...(await this.contentOfExisting(scope, found, content)), created: false };
    let dataset: Dataset;
    try {
      dataset = await this.create(scope, fields, key);
    } catch (err) {
      // Another call with the same key won the race (unique name or key): answer with its dataset.
      scope.em.clear();
      const winner = await existing();
      if (!winner) throw err;
      return { ...(await this.contentOfExisting(scope, winner, content)), created: false };
    }
    // A slow first call may find its content added by a later one that took it for dead: that version is the answer.
    return { ...(await this.addFirstContent(scope, dataset, content, true)), created: true };
  }

  private async contentOfExisting(
    scope: RequestScope,
    found: Dataset,
    content: string,
  ): Promise<{ dataset: Dataset; version: DatasetVersion }> {
    const deadline = Date.now() + FIRST_CONTENT_WAIT_MS;
    for (;;) {
      const dataset = await this.deps.datasets.getFresh(scope.em, found.id);
      const latest = dataset.latestVersion > 0 ? await this.deps.datasets.latestVersion(scope.em, dataset) : null;
      if (latest) return { dataset, version: latest };
      // No version handed out yet: the first call died before its content (or is still storing it).
      if (dataset.versionCounter === 0) {
        try {
          const stored = await this.deps.store.put(content, { maxBytes: this.deps.maxContentBytes });
          const { version } = await this.deps.content.addContentVersion(scope.em, dataset, stored, scope.viewer.id);
          return { dataset, version };
        } catch (err) {
          // The first call added its version meanwhile: wait for it like below.
          if (!(err instanceof UniqueConstraintViolationException)) throw err;
          scope.em.clear();
        }
      }
      // The first call is still profiling its content (its caller died or timed out): wait for it.
      if (Date.now() > deadline)
        throw new ConflictError('The dataset of this idempotency key is still being created: try again');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async addFirstContent(
    scope: RequestScope,
    dataset: Dataset,
    content: string,
    /** An idempotent create: another call with the key may have added the first version meanwhile. */
    keyed = false,
  ): Promise<{ dataset: Dataset; version: DatasetVersion }> {
    let sha256: string | undefined;
    try {
      const stored = await this.deps.store.put(content, { maxBytes: this.deps.maxContentBytes });
      sha256 = stored.sha256;
      const { version } = await this.deps.content.addContentVersion(scope.em, dataset, stored, scope.viewer.id);
      return { dataset, version };
    } catch (err) {
      scope.em.clear();
      if (keyed && err instanceof UniqueConstraintViolationException)
        return this.contentOfExisting(scope, dataset, content);
      await this.deps.datasets.purge(scope.em, dataset.id);
      await this.deleteUnreferenced(scope.em, sha256 ? [sha256] : []);
      throw err;
    }
  }

  /** Columns with their classification and the statistics of the latest version. */
  async columns(scope: RequestScope, dataset: Dataset): Promise<DatasetColumn[]> {
    const latest = await this.deps.datasets.latestVersion(scope.em, dataset);
    const profiles = new Map((latest?.profile?.columns ?? []).map((c) => [c.name, c]));
    return dataset.columns.map((c) => ({
      name: c.name,
      type: c.type,
      classification: c.classification,
      detectedPii: c.detectedPii ?? null,
      confidence: c.piiConfidence ?? null,
      reason: c.piiReason ?? null,
      piiReview: c.piiReview ?? null,
      description: c.description ?? null,
      profile: profiles.get(c.name) ?? null,
    }));
  }

  /** Content-addressed bytes may be shared with another dataset's version: deletes only those no version needs. */
  private async deleteUnreferenced(em: EntityManager, shas: string[]): Promise<void> {
    for (const sha of new Set(shas))
      if (!(await this.deps.datasets.isContentReferenced(em, sha))) await this.deps.store.delete(sha);
  }

  private async assertNameFree(
    em: EntityManager,
    organizationId: string,
    name: string,
    exceptId?: string,
  ): Promise<void> {
    if (await this.deps.datasets.nameTaken(em, organizationId, name, exceptId))
      throw new ConflictError(`A dataset named "${name}" already exists`);
  }
}
