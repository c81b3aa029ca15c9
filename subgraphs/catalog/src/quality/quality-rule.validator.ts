import type { UserRegExp } from '../../../../lib/src/index';
import { compileUserPattern, UnsafePatternError } from '../../../../lib/src/index';
import type { QualityRuleDefinition } from './quality-rule.types';
import { QUALITY_RULE_TYPES, QualityRuleError } from './quality-rule.types';

/**
 * A rule's regex on lib's linear-time engine (RE2): it runs over every row, so it must not backtrack.
 * @throws QualityRuleError when it is invalid, too long, or needs lookaround or backreferences
 */
export function compileRuleRegex(regex: string): UserRegExp {
  try {
    return compileUserPattern(regex, { field: 'regex' });
  } catch (err) {
    if (err instanceof UnsafePatternError) throw new QualityRuleError('regex', err.message);
    throw err;
  }
}

/**
 * Checks that a rule's parameters fit its type, so a broken rule is refused when saved rather than
 * aborting at every run.
 * @throws QualityRuleError naming the offending field.
 */
export function validateQualityRule(rule: QualityRuleDefinition): void {
  if (!QUALITY_RULE_TYPES.includes(rule.type))
    throw new QualityRuleError('type', `unknown rule type ${String(rule.type)}`);
  const needsColumn = rule.type.startsWith('column');
  if (needsColumn && !rule.column) throw new QualityRuleError('column', `${rule.type} needs a column`);
  if (rule.type === 'columnValuesToBeBetween' || rule.type === 'tableRowCountToBeBetween') {
    const hasMin = rule.minValue !== undefined && rule.minValue !== null;
    const hasMax = rule.maxValue !== undefined && rule.maxValue !== null;
    if (!hasMin && !hasMax) throw new QualityRuleError('minValue', 'give minValue, maxValue or both');
    if (hasMin && hasMax && rule.minValue! > rule.maxValue!)
      throw new QualityRuleError('maxValue', 'must not be below minValue');
  }
  if (rule.type === 'columnValuesToMatchRegex') {
    if (!rule.regex) throw new QualityRuleError('regex', 'columnValuesToMatchRegex needs a regex');
    compileRuleRegex(rule.regex);
  }
  if (rule.type === 'tableDataToBeFresh' && !(typeof rule.maxAgeSeconds === 'number' && rule.maxAgeSeconds > 0)) {
    throw new QualityRuleError('maxAgeSeconds', 'must be a positive number of seconds');
  }
}
