import type { QualityRuleDefinition } from './quality-rule.types';
import { QUALITY_RULE_TYPES, QualityRuleError } from './quality-rule.types';

const MAX_REGEX_LENGTH = 500;
// A quantified group that itself contains a quantifier, e.g. (a+)+ : the classic catastrophic-backtracking shape.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)[*+{]/;

/**
 * Checks that a rule's parameters fit its type, so a broken rule is refused when saved rather than
 * aborting at every run.
 * @throws QualityRuleError naming the offending field.
 */
export function validateQualityRule(rule: QualityRuleDefinition): void {
  if (!QUALITY_RULE_TYPES.includes(rule.type)) throw new QualityRuleError('type', `unknown rule type ${String(rule.type)}`);
  const needsColumn = rule.type.startsWith('column');
  if (needsColumn && !rule.column) throw new QualityRuleError('column', `${rule.type} needs a column`);
  if (rule.type === 'columnValuesToBeBetween' || rule.type === 'tableRowCountToBeBetween') {
    const hasMin = rule.minValue !== undefined && rule.minValue !== null;
    const hasMax = rule.maxValue !== undefined && rule.maxValue !== null;
    if (!hasMin && !hasMax) throw new QualityRuleError('minValue', 'give minValue, maxValue or both');
    if (hasMin && hasMax && rule.minValue! > rule.maxValue!) throw new QualityRuleError('maxValue', 'must not be below minValue');
  }
  if (rule.type === 'columnValuesToMatchRegex') {
    if (!rule.regex) throw new QualityRuleError('regex', 'columnValuesToMatchRegex needs a regex');
    if (rule.regex.length > MAX_REGEX_LENGTH) throw new QualityRuleError('regex', `longer than ${MAX_REGEX_LENGTH} characters`);
    if (NESTED_QUANTIFIER.test(rule.regex)) throw new QualityRuleError('regex', 'nested quantifiers such as (a+)+ are refused: they can take exponential time');
    try {
      new RegExp(rule.regex, 'u');
    } catch (err) {
      throw new QualityRuleError('regex', (err as Error).message);
    }
  }
  if (rule.type === 'tableDataToBeFresh' && !(typeof rule.maxAgeSeconds === 'number' && rule.maxAgeSeconds > 0)) {
    throw new QualityRuleError('maxAgeSeconds', 'must be a positive number of seconds');
  }
}
