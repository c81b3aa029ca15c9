/** Rule types, named after OpenMetadata's test definitions. */
export type QualityRuleType =
  | 'columnValuesToBeNotNull'
  | 'columnValuesToBeUnique'
  | 'columnValuesToBeBetween'
  | 'columnValuesToMatchRegex'
  | 'tableRowCountToBeBetween'
  | 'tableDataToBeFresh';

export const QUALITY_RULE_TYPES: readonly QualityRuleType[] = [
  'columnValuesToBeNotNull',
  'columnValuesToBeUnique',
  'columnValuesToBeBetween',
  'columnValuesToMatchRegex',
  'tableRowCountToBeBetween',
  'tableDataToBeFresh',
];

/** A rule as stored: which test, on which column, with which parameters. */
export interface QualityRuleDefinition {
  id?: string;
  type: QualityRuleType;
  column?: string | null;
  minValue?: number | null;
  maxValue?: number | null;
  regex?: string | null;
  /** Freshness: the newest value of `column` (or the content itself when no column) may be this old. */
  maxAgeSeconds?: number | null;
}

/** OpenMetadata's three outcomes: ABORTED when the rule cannot run (for example a missing column). */
export type QualityStatus = 'SUCCESS' | 'FAILED' | 'ABORTED';

export interface QualityRuleResult {
  ruleId?: string;
  type: QualityRuleType;
  column: string | null;
  status: QualityStatus;
  message: string;
  /** The measured value the rule compared (row count, failed rows, newest timestamp ...). */
  observedValue: string | null;
  passedRows: number;
  failedRows: number;
  /** Up to five offending values, as text. */
  sampleFailures: string[];
}

export interface QualityReport {
  rowCount: number;
  results: QualityRuleResult[];
  /** Percentage of rules that succeeded, 0 to 100; null with no rules. */
  score: number | null;
}

/** A rule whose parameters do not fit its type. */
export class QualityRuleError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'QualityRuleError';
    this.field = field;
  }
}
