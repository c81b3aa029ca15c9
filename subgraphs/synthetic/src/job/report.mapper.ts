import type { QualityReport } from '../metrics/quality.report';
import type { SyntheticComplianceReport, SyntheticPrivacyReport, SyntheticQualityReport } from '../report/report.types';
import type { PrivacyReport } from '../synthesizer/synthesize';
import type { DpAccount } from '../synthesizer/table-model';
import type { SyntheticDataJob } from './synthetic-job.entity';

/** NaN (an undefined metric) becomes null: JSON and GraphQL have no NaN. */
function finite(value: number | null | undefined): number | null {
  return value === null || value === undefined || Number.isNaN(value) ? null : value;
}

/** The stored/queryable form of the quality report. */
export function qualityOf(report: QualityReport): SyntheticQualityReport {
  return {
    overall: finite(report.overall),
    columnShapes: finite(report.columnShapes.score),
    columnPairTrends: finite(report.columnPairTrends.score),
    realCorrelationThreshold: report.thresholds.realCorrelationThreshold,
    realAssociationThreshold: report.thresholds.realAssociationThreshold,
    columns: report.columnShapes.details.map((d) => ({ column: d.column, metric: d.metric, score: finite(d.score) })),
    pairs: report.columnPairTrends.details.map((d) => ({ ...d, score: finite(d.score) })),
  };
}

/** The stored/queryable form of the privacy report. */
export function privacyOf(report: PrivacyReport): SyntheticPrivacyReport {
  return {
    exactMatchCount: report.exactMatchCount,
    exactMatchCountModelled: report.exactMatchCountModelled,
    redrawnRows: report.redrawnRows,
    dcrBaselineProtection: finite(report.dcrBaseline.score),
    medianDcrSynthetic: report.dcrBaseline.medianDcrSynthetic,
    medianDcrRandom: report.dcrBaseline.medianDcrRandom,
    dcrOverfittingProtection: finite(report.dcrOverfitting?.score),
    closerToTraining: finite(report.dcrOverfitting?.closerToTraining),
    piiColumns: report.piiColumns,
    piiColumnsNotRead: report.piiColumnsNotRead,
  };
}

/** Facts of the run that only the runner knows. */
export interface ComplianceFacts {
  sourceVersion: number | null;
  sourceSha256: string | null;
  piiColumns: string[];
  /** PII columns the job's user may not read: faked unseen, so not checked against source values. */
  piiColumnsNotRead: string[];
  droppedColumns: string[];
  trainingRows: number;
  holdoutRows: number;
  dp: DpAccount | null;
}

/** The compliance summary: source, who ran it, PII handling, DP budget. */
export function complianceOf(job: SyntheticDataJob, facts: ComplianceFacts): SyntheticComplianceReport {
  return {
    sourceDatasetId: job.sourceDatasetId,
    sourceVersion: facts.sourceVersion,
    sourceSha256: facts.sourceSha256,
    schemaVersionId: job.schemaVersionId,
    synthesizer: job.synthesizer,
    seed: job.seed,
    ranBy: job.createdById,
    ranAt: new Date().toISOString(),
    piiColumns: facts.piiColumns,
    piiHandling: piiHandlingOf(facts),
    droppedColumns: facts.droppedColumns,
    trainingRows: facts.trainingRows,
    holdoutRows: facts.holdoutRows,
    differentialPrivacy: facts.dp
      ? {
          epsilon: facts.dp.epsilon,
          delta: facts.dp.delta,
          mechanism: facts.dp.mechanism,
          marginalEpsilonPerColumn: facts.dp.marginalEpsilonPerColumn,
          correlationEpsilon: facts.dp.correlationEpsilon,
          correlationDelta: facts.dp.correlationDelta,
          correlationNoiseSigma: facts.dp.correlationNoiseSigma,
          boundsFromData: facts.dp.boundsFromData,
        }
      : null,
  };
}

/** How PII columns were produced, in words, including those faked unseen. */
function piiHandlingOf(facts: ComplianceFacts): string {
  if (!facts.piiColumns.length) return 'No PII column was found.';
  const read = facts.piiColumns.filter((c) => !facts.piiColumnsNotRead.includes(c));
  const parts = [
    'PII columns (catalog classification PII, column handling FAKE, or detected emails/phones/names/identifiers) were never modelled; they hold seeded fake values (faker for emails and names, format-preserving replacement otherwise)',
  ];
  if (read.length) parts.push(`${read.join(', ')}: no value equal to a source value`);
  if (facts.piiColumnsNotRead.length)
    parts.push(
      `${facts.piiColumnsNotRead.join(', ')}: not read (the user who ran the job lacks catalog:read-pii), faked from the column's name alone and not checked against the source values`,
    );
  return `${parts.join('; ')}.`;
}
