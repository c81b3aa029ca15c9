import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { containsText } from '../../../../lib/src/text-query';
import { AccessGrant } from '../governance/access-grant.entity';
import { AccessRequest } from '../governance/access-request.entity';
import { QualityCheck } from '../quality/quality-check.entity';
import { QualityRule } from '../quality/quality-rule.entity';
import { Dataset } from './dataset.entity';
import type { Classification, DatasetFormat } from './dataset.enums';
import { ContentStatus, DatasetVersion } from './dataset-version.entity';

/** What a search narrows candidates by, besides visibility. */
export interface DatasetCandidateFilter {
  /** Lower-case terms; a candidate contains at least one. */
  terms: string[];
  /** Every tag must appear in the search text (ranking checks the tags exactly). */
  tags: string[];
  classification?: Classification[] | null;
  ownerId?: string | null;
  format?: DatasetFormat | null;
}

// LIKE is only a prefilter: `_` and `%` wildcards widen it and ranking filters exactly afterwards.
/** The dataset aggregate's queries: datasets and their content versions. Stateless: the caller's `em` is the unit of work. */
export class DatasetRepository {
  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<Dataset | null> {
    return em.findOne(Dataset, { id, organizationId });
  }

  findById(em: EntityManager, id: string): Promise<Dataset | null> {
    return em.findOne(Dataset, { id });
  }

  /** The dataset re-read from the database (refreshing the one `em` holds). @throws MikroORM's NotFoundError when there is none */
  getFresh(em: EntityManager, id: string): Promise<Dataset> {
    return em.findOneOrFail(Dataset, { id }, { refresh: true });
  }

  /** Datasets by id, in any organization: callers check access per dataset. */
  findManyById(em: EntityManager, ids: string[]): Promise<Dataset[]> {
    return em.find(Dataset, { id: { $in: ids } });
  }

  async nameTaken(em: EntityManager, organizationId: string, name: string, exceptId?: string): Promise<boolean> {
    return (await em.count(Dataset, { organizationId, name, ...(exceptId ? { id: { $ne: exceptId } } : {}) })) > 0;
  }

  /** Datasets matching `visible` and the filter, most recently updated first, at most `limit`. */
  searchCandidates(
    em: EntityManager,
    visible: FilterQuery<Dataset>,
    filter: DatasetCandidateFilter,
    limit: number,
  ): Promise<Dataset[]> {
    const where: FilterQuery<Dataset>[] = [visible];
    if (filter.classification?.length) where.push({ classification: { $in: filter.classification } });
    if (filter.ownerId) where.push({ ownerId: filter.ownerId });
    if (filter.format) where.push({ format: filter.format });
    if (filter.terms.length) where.push({ $or: filter.terms.map((t) => ({ searchText: containsText(em, t) })) });
    for (const tag of filter.tags) where.push({ searchText: containsText(em, tag) });
    return em.find(Dataset, { $and: where }, { orderBy: { updatedAt: 'desc', id: 'asc' }, limit });
  }

  /** Datasets with a retention policy (only `datasetId` when given). */
  findWithRetention(em: EntityManager, datasetId?: string): Promise<Dataset[]> {
    return em.find(Dataset, {
      ...(datasetId ? { id: datasetId } : {}),
      $or: [{ retentionKeepLast: { $ne: null } }, { retentionMaxAgeDays: { $ne: null } }],
    });
  }

  /** Deletes a dataset and every row that hangs off it (versions, rules, checks, grants, requests), bypassing the unit of work. */
  async purge(em: EntityManager, datasetId: string): Promise<void> {
    for (const entity of [DatasetVersion, QualityRule, QualityCheck, AccessGrant, AccessRequest] as const)
      await em.nativeDelete(entity, { datasetId });
    await em.nativeDelete(Dataset, { id: datasetId });
  }

  findVersion(em: EntityManager, id: string): Promise<DatasetVersion | null> {
    return em.findOne(DatasetVersion, { id });
  }

  /** The version `dataset.latestVersion` points at; null before the first is profiled. */
  async latestVersion(em: EntityManager, dataset: Dataset): Promise<DatasetVersion | null> {
    return dataset.latestVersion > 0
      ? em.findOne(DatasetVersion, { datasetId: dataset.id, version: dataset.latestVersion })
      : null;
  }

  /** One version of a dataset; MikroORM's NotFoundError (NOT_FOUND) when it is missing. */
  getVersion(em: EntityManager, datasetId: string, version: number): Promise<DatasetVersion> {
    return em.findOneOrFail(DatasetVersion, { datasetId, version });
  }

  /** Content versions, newest first. */
  versionsOf(em: EntityManager, datasetId: string): Promise<DatasetVersion[]> {
    return em.find(DatasetVersion, { datasetId }, { orderBy: { version: 'desc' } });
  }

  /** Versions whose bytes are still stored and that are not being profiled, newest first. */
  storedSettledVersionsOf(em: EntityManager, datasetId: string): Promise<DatasetVersion[]> {
    return em.find(
      DatasetVersion,
      { datasetId, contentDeletedAt: null, status: { $ne: ContentStatus.PROFILING } },
      { orderBy: { version: 'desc' } },
    );
  }

  /** The sha256 of every version of a dataset whose bytes are still stored. */
  async storedShasOf(em: EntityManager, datasetId: string): Promise<string[]> {
    return (await em.find(DatasetVersion, { datasetId, contentDeletedAt: null })).map((v) => v.sha256);
  }

  /** Whether any version (of any dataset: the store is content-addressed) still needs these bytes. */
  async isContentReferenced(em: EntityManager, sha256: string): Promise<boolean> {
    return (await em.count(DatasetVersion, { sha256, contentDeletedAt: null })) > 0;
  }

  /** Versions left PROFILING (by a process that stopped), oldest first. */
  findProfiling(em: EntityManager): Promise<DatasetVersion[]> {
    return em.find(DatasetVersion, { status: ContentStatus.PROFILING }, { orderBy: { createdAt: 'asc' } });
  }

  /** Marks a version FAILED unless it already left PROFILING; bypasses the unit of work (used after an unexpected error). */
  async failProfiling(em: EntityManager, versionId: string, error: string): Promise<void> {
    await em.nativeUpdate(
      DatasetVersion,
      { id: versionId, status: ContentStatus.PROFILING },
      { status: ContentStatus.FAILED, error },
    );
  }
}
