import type { ContentRecord } from '../content/record.reader';
import type { QualityReport, QualityRuleDefinition, QualityRuleResult, QualityStatus } from './quality-rule.types';
import { compileRuleRegex, validateQualityRule } from './quality-rule.validator';

const SAMPLE_LIMIT = 5;

/** When and over what the rules run. */
export interface QualityContext {
  now: Date;
  /** When the content version was created; freshness without a column measures this. */
  contentCreatedAt?: Date;
}

interface RuleCheck {
  add(record: ContentRecord): void;
  finish(rowCount: number, context: QualityContext): QualityRuleResult;
}

/** A record's own cell: a column named `constructor` or `toString` is the data's, never Object's. */
const hasColumn = (record: ContentRecord, column: string): boolean => Object.hasOwn(record, column);
const cell = (record: ContentRecord, column: string): unknown =>
  hasColumn(record, column) ? record[column] : undefined;

const isNull = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function toTime(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** Row-level rules share counting: each non-skipped cell passes or fails. */
function rowCheck(rule: QualityRuleDefinition, describe: string, test: (v: unknown) => boolean | 'skip'): RuleCheck {
  const column = rule.column!;
  let seen = false;
  let passed = 0;
  let failed = 0;
  const samples: string[] = [];
  return {
    add(record) {
      if (hasColumn(record, column)) seen = true;
      const v = cell(record, column);
      const r = test(v);
      if (r === 'skip') return;
      if (r) passed += 1;
      else {
        failed += 1;
        if (samples.length < SAMPLE_LIMIT) samples.push(isNull(v) ? 'null' : text(v));
      }
    },
    finish(rowCount) {
      const base = { ruleId: rule.id, type: rule.type, column, sampleFailures: samples };
      if (!seen && rowCount > 0)
        return {
          ...base,
          status: 'ABORTED',
          message: `column ${column} not found`,
          observedValue: null,
          passedRows: 0,
          failedRows: 0,
          sampleFailures: [],
        };
      const status: QualityStatus = failed === 0 ? 'SUCCESS' : 'FAILED';
      return {
        ...base,
        status,
        message: `${failed} of ${passed + failed} values ${failed === 1 ? 'does' : 'do'} not ${describe}`,
        observedValue: String(failed),
        passedRows: passed,
        failedRows: failed,
      };
    },
  };
}

function uniqueCheck(rule: QualityRuleDefinition): RuleCheck {
  const seenValues = new Set<string>();
  const dupes = new Set<string>();
  let failedRows = 0;
  const inner = rowCheck(rule, 'be unique', (v) => {
    if (isNull(v)) return 'skip';
    const key = text(v);
    if (!seenValues.has(key)) {
      seenValues.add(key);
      return true;
    }
    dupes.add(key);
    failedRows += 1;
    return false;
  });
  return {
    add: (r) => inner.add(r),
    finish(rowCount, context) {
      const res = inner.finish(rowCount, context);
      if (res.status === 'ABORTED') return res;
      return {
        ...res,
        message: `${dupes.size} duplicated values in ${failedRows} extra rows`,
        observedValue: String(dupes.size),
      };
    },
  };
}

function rowCountCheck(rule: QualityRuleDefinition): RuleCheck {
  return {
    add() {},
    finish(rowCount) {
      const okMin = rule.minValue === undefined || rule.minValue === null || rowCount >= rule.minValue;
      const okMax = rule.maxValue === undefined || rule.maxValue === null || rowCount <= rule.maxValue;
      const ok = okMin && okMax;
      return {
        ruleId: rule.id,
        type: rule.type,
        column: null,
        status: ok ? 'SUCCESS' : 'FAILED',
        message: `row count ${rowCount} ${ok ? 'is' : 'is not'} within [${rule.minValue ?? '-∞'}, ${rule.maxValue ?? '∞'}]`,
        observedValue: String(rowCount),
        passedRows: ok ? rowCount : 0,
        failedRows: ok ? 0 : rowCount,
        sampleFailures: [],
      };
    },
  };
}

function freshnessCheck(rule: QualityRuleDefinition): RuleCheck {
  const column = rule.column ?? null;
  let newest: number | undefined;
  let seen = false;
  return {
    add(record) {
      if (!column) return;
      if (hasColumn(record, column)) seen = true;
      const t = toTime(cell(record, column));
      if (t !== undefined && (newest === undefined || t > newest)) newest = t;
    },
    finish(rowCount, context) {
      const base = { ruleId: rule.id, type: rule.type, column, passedRows: 0, failedRows: 0, sampleFailures: [] };
      if (column && !seen && rowCount > 0)
        return { ...base, status: 'ABORTED', message: `column ${column} not found`, observedValue: null };
      const at = column ? newest : context.contentCreatedAt?.getTime();
      if (at === undefined)
        return {
          ...base,
          status: 'FAILED',
          message: column ? `column ${column} has no timestamps` : 'no content to measure',
          observedValue: null,
        };
      const ageSeconds = (context.now.getTime() - at) / 1000;
      const ok = ageSeconds <= rule.maxAgeSeconds!;
      return {
        ...base,
        status: ok ? 'SUCCESS' : 'FAILED',
        message: `newest data is ${Math.round(ageSeconds)} s old (limit ${rule.maxAgeSeconds} s)`,
        observedValue: new Date(at).toISOString(),
      };
    },
  };
}

function checkFor(rule: QualityRuleDefinition): RuleCheck {
  switch (rule.type) {
    case 'columnValuesToBeNotNull':
      return rowCheck(rule, 'be not null', (v) => !isNull(v));
    case 'columnValuesToBeUnique':
      return uniqueCheck(rule);
    case 'columnValuesToBeBetween':
      return rowCheck(rule, `lie within [${rule.minValue ?? '-∞'}, ${rule.maxValue ?? '∞'}]`, (v) => {
        if (isNull(v)) return 'skip';
        const n = toNumber(v);
        if (n === undefined) return false;
        return (
          (rule.minValue === undefined || rule.minValue === null || n >= rule.minValue) &&
          (rule.maxValue === undefined || rule.maxValue === null || n <= rule.maxValue)
        );
      });
    case 'columnValuesToMatchRegex': {
      const re = compileRuleRegex(rule.regex!);
      return rowCheck(rule, `match /${rule.regex}/`, (v) => (isNull(v) ? 'skip' : re.test(text(v))));
    }
    case 'tableRowCountToBeBetween':
      return rowCountCheck(rule);
    case 'tableDataToBeFresh':
      return freshnessCheck(rule);
  }
}

/**
 * Runs every rule over the records in one pass. Nulls are skipped by the value rules (between, regex,
 * unique) as in OpenMetadata; only the not-null rule counts them. Score = percentage of SUCCESS.
 * @throws QualityRuleError when a rule's parameters are invalid (checked before reading).
 */
export async function evaluateQualityRules(
  records: AsyncIterable<ContentRecord> | Iterable<ContentRecord>,
  rules: readonly QualityRuleDefinition[],
  context: QualityContext,
): Promise<QualityReport> {
  rules.forEach(validateQualityRule);
  const checks = rules.map(checkFor);
  let rowCount = 0;
  for await (const record of records) {
    rowCount += 1;
    for (const c of checks) c.add(record);
  }
  const results = checks.map((c) => c.finish(rowCount, context));
  return { rowCount, results, score: scoreOf(results) };
}

/** Percentage of results with status SUCCESS, or null when there are none. */
export function scoreOf(results: readonly Pick<QualityRuleResult, 'status'>[]): number | null {
  if (results.length === 0) return null;
  return (100 * results.filter((r) => r.status === 'SUCCESS').length) / results.length;
}
