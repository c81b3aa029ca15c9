import type { EntityManager } from '@mikro-orm/core';
import type { ArtifactStore } from '../../../../lib/src/index';
import { BadUserInputError, NotFoundError } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import { readRecords } from '../content/record.reader';
import type { Dataset } from '../dataset/dataset.entity';
import { AccessLevel } from '../dataset/dataset.enums';
import type { DatasetRepository } from '../dataset/dataset.repository';
import type { AccessService } from '../governance/access.service';
import { QualityCheck } from './quality-check.entity';
import { evaluateQualityRules } from './quality.engine';
import type { QualityRuleInput } from './quality.input';
import type { QualityRepository } from './quality.repository';
import { QualityRule } from './quality-rule.entity';
import type { QualityRuleType } from './quality-rule.types';
import { QualityRuleError } from './quality-rule.types';
import { validateQualityRule } from './quality-rule.validator';

export type QualityTrigger = 'MANUAL' | 'NEW_VERSION';

/** A dataset's quality rules (OpenMetadata test definitions) and the checks that run them. */
export class QualityService {
  constructor(
    private readonly deps: {
      access: AccessService;
      quality: QualityRepository;
      datasets: DatasetRepository;
      store: ArtifactStore;
      clock: Clock;
    },
  ) {}

  /**
   * Adds a rule to a dataset; needs WRITE.
   * @throws BadUserInputError naming the field when the rule's parameters do not fit its type
   */
  async createRule(scope: RequestScope, datasetId: string, input: QualityRuleInput): Promise<QualityRule> {
    const { dataset } = await this.deps.access.requireDataset(scope, datasetId, AccessLevel.WRITE);
    const definition = { ...input, type: input.type as QualityRuleType };
    try {
      validateQualityRule(definition);
    } catch (err) {
      if (err instanceof QualityRuleError)
        throw new BadUserInputError(err.message, [{ field: err.field, message: err.message }]);
      throw err;
    }
    const rule = scope.em.create(QualityRule, {
      ...definition,
      organizationId: dataset.organizationId,
      datasetId: dataset.id,
    });
    await scope.em.flush();
    return rule;
  }

  /** Removes a rule; needs WRITE on its dataset. */
  async deleteRule(scope: RequestScope, id: string): Promise<boolean> {
    const rule = await this.deps.quality.findRule(scope.em, scope.viewer.organizationId, id);
    if (!rule) throw new NotFoundError('QualityRule', id);
    await this.deps.access.requireDataset(scope, rule.datasetId, AccessLevel.WRITE);
    scope.em.remove(rule);
    await scope.em.flush();
    return true;
  }

  /** Runs a dataset's rules on its latest content now; needs READ. @returns null when it has no rules */
  async runNow(scope: RequestScope, datasetId: string): Promise<QualityCheck | null> {
    const { dataset } = await this.deps.access.requireDataset(scope, datasetId, AccessLevel.READ);
    return this.run(scope.em, dataset, 'MANUAL');
  }

  /**
   * Runs a dataset's rules over its latest content version (streamed from the store), stores the check
   * and the dataset's score. Without content, table rules see zero rows and column rules abort.
   * @returns the stored check, or null when the dataset has no rules
   */
  async run(em: EntityManager, dataset: Dataset, trigger: QualityTrigger): Promise<QualityCheck | null> {
    const now = this.deps.clock();
    const rules = await this.deps.quality.rulesOf(em, dataset.id);
    if (rules.length === 0) return null;
    const version = await this.deps.datasets.latestVersion(em, dataset);
    const hasContent = !!version && !version.contentDeletedAt && (await this.deps.store.has(version.sha256));
    const records = hasContent ? readRecords(this.deps.store.open(version.sha256), version.format) : [];
    const report = await evaluateQualityRules(records, rules, { now, contentCreatedAt: version?.createdAt });
    const check = em.create(QualityCheck, {
      organizationId: dataset.organizationId,
      datasetId: dataset.id,
      version: version?.version ?? 0,
      trigger,
      rowCount: report.rowCount,
      score: report.score,
      results: report.results,
      createdAt: now,
    });
    em.persist(check);
    dataset.qualityScore = report.score;
    await em.flush();
    return check;
  }

  /** A dataset's rules in the order they were added (the caller already reads the dataset). */
  rulesOf(scope: RequestScope, dataset: Dataset): Promise<QualityRule[]> {
    return this.deps.quality.rulesOf(scope.em, dataset.id);
  }

  /** A dataset's check history, newest first; `first` is clamped to 1..200. */
  checksOf(scope: RequestScope, dataset: Dataset, first: number): Promise<QualityCheck[]> {
    return this.deps.quality.checksOf(scope.em, dataset.id, Math.max(1, Math.min(first, 200)));
  }

  /** A check another subgraph refers to: null unless the viewer can see its dataset. */
  async checkReference(scope: RequestScope, id: string): Promise<QualityCheck | null> {
    const check = await this.deps.quality.findCheck(scope.em, scope.viewer.organizationId, id);
    return check && (await this.deps.access.visibleDataset(scope, check.datasetId)) ? check : null;
  }
}
