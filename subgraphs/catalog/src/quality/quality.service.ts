import type { EntityManager } from '@mikro-orm/core';
import type { ArtifactStore } from '../../../../lib/src/index';
import { readRecords } from '../content/record.reader';
import type { Dataset } from '../dataset/dataset.entity';
import { DatasetVersion } from '../dataset/dataset-version.entity';
import { QualityCheck } from './quality-check.entity';
import { evaluateQualityRules } from './quality.engine';
import { QualityRule } from './quality-rule.entity';

/**
 * Runs a dataset's rules over its latest content version (streamed from the store), stores the check
 * and the dataset's score. Without content, table rules see zero rows and column rules abort.
 * @returns the stored check, or null when the dataset has no rules
 */
export async function runQualityChecks(em: EntityManager, store: ArtifactStore, dataset: Dataset, trigger: 'MANUAL' | 'NEW_VERSION', now: Date = new Date()): Promise<QualityCheck | null> {
  const rules = await em.find(QualityRule, { datasetId: dataset.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  if (rules.length === 0) return null;
  const version = dataset.latestVersion > 0 ? await em.findOne(DatasetVersion, { datasetId: dataset.id, version: dataset.latestVersion }) : null;
  const hasContent = !!version && !version.contentDeletedAt && (await store.has(version.sha256));
  const records = hasContent ? readRecords(store.open(version.sha256), version.format) : [];
  const report = await evaluateQualityRules(records, rules, { now, contentCreatedAt: version?.createdAt });
  const check = em.create(QualityCheck, {
    organizationId: dataset.organizationId,
    datasetId: dataset.id,
    version: version?.version ?? 0,
    trigger,
    rowCount: report.rowCount,
    score: report.score,
    results: report.results,
    ranAt: now,
  });
  em.persist(check);
  dataset.qualityScore = report.score;
  await em.flush();
  return check;
}
