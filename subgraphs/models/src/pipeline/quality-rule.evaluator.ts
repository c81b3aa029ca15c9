/** A declared data-quality rule (OpenMetadata test definition names). */
export interface QualityRule {
  type:
    | 'tableRowCountToBeBetween'
    | 'columnToExist'
    | 'columnValuesToBeNotNull'
    | 'columnValuesToBeBetween'
    | 'columnValuesToBeUnique';
  column?: string | null;
  min?: number | null;
  max?: number | null;
}

/** Outcome of one rule. */
export interface QualityResult {
  rule: string;
  column: string | null;
  passed: boolean;
  detail: string;
}

export const QUALITY_RULE_TYPES = [
  'tableRowCountToBeBetween',
  'columnToExist',
  'columnValuesToBeNotNull',
  'columnValuesToBeBetween',
  'columnValuesToBeUnique',
];

const isNull = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** Evaluates rules on records, like OpenMetadata's test cases of the same names. */
export function evaluateQualityRules(records: Record<string, unknown>[], rules: QualityRule[]): QualityResult[] {
  const columns = new Set(records.length > 0 ? Object.keys(records[0]!) : []);
  return rules.map((rule) => {
    const column = rule.column ?? null;
    const min = rule.min ?? -Infinity;
    const max = rule.max ?? Infinity;
    if (rule.type === 'tableRowCountToBeBetween') {
      const n = records.length;
      return { rule: rule.type, column, passed: n >= min && n <= max, detail: `${n} rows` };
    }
    if (!column || !columns.has(column))
      return { rule: rule.type, column, passed: false, detail: `column ${column ?? '(none)'} does not exist` };
    const values = records.map((r) => r[column]);
    if (rule.type === 'columnToExist') return { rule: rule.type, column, passed: true, detail: 'exists' };
    if (rule.type === 'columnValuesToBeNotNull') {
      const nulls = values.filter(isNull).length;
      return { rule: rule.type, column, passed: nulls === 0, detail: `${nulls} null values` };
    }
    if (rule.type === 'columnValuesToBeUnique') {
      const present = values.filter((v) => !isNull(v)).map(String);
      const duplicates = present.length - new Set(present).size;
      return { rule: rule.type, column, passed: duplicates === 0, detail: `${duplicates} duplicate values` };
    }
    const outside = values
      .filter((v) => !isNull(v))
      .filter((v) => {
        const n = Number(v);
        return !Number.isFinite(n) || n < min || n > max;
      }).length;
    return { rule: rule.type, column, passed: outside === 0, detail: `${outside} values outside [${min}, ${max}]` };
  });
}
