import type { ColumnMeta } from '../table/table.types';
import { SyntheticInputError } from '../table/table.types';

/**
 * A rule every generated row obeys: numeric bounds (`min`/`max`; datetimes in epoch
 * milliseconds) or, for categorical and boolean columns, the allowed values.
 */
export interface SynthesisConstraint {
  column: string;
  min?: number | null;
  max?: number | null;
  allowedValues?: string[] | null;
}

/**
 * Checks constraints against the table's columns.
 * @throws SyntheticInputError naming the offending `constraints[i].<field>`.
 */
export function validateConstraints(constraints: SynthesisConstraint[], columns: ColumnMeta[]): void {
  constraints.forEach((constraint, i) => {
    const at = `constraints[${i}]`;
    const meta = columns.find((c) => c.name === constraint.column);
    if (!meta) throw new SyntheticInputError(`unknown column "${constraint.column}"`, `${at}.column`);
    const hasBounds = constraint.min != null || constraint.max != null;
    const hasValues = constraint.allowedValues != null;
    if (!hasBounds && !hasValues) throw new SyntheticInputError('a constraint needs min, max or allowedValues', at);
    if (hasBounds) {
      if (meta.sdtype !== 'numerical' && meta.sdtype !== 'datetime') {
        throw new SyntheticInputError(
          `column "${meta.name}" is ${meta.sdtype}: bounds apply to numerical and datetime columns`,
          `${at}.min`,
        );
      }
      for (const field of ['min', 'max'] as const) {
        const value = constraint[field];
        if (value != null && !Number.isFinite(value))
          throw new SyntheticInputError(`${field} must be a finite number`, `${at}.${field}`);
      }
      if (constraint.min != null && constraint.max != null && constraint.min > constraint.max) {
        throw new SyntheticInputError('min must not exceed max', `${at}.min`);
      }
    }
    if (hasValues) {
      if (meta.sdtype !== 'categorical' && meta.sdtype !== 'boolean') {
        throw new SyntheticInputError(
          `column "${meta.name}" is ${meta.sdtype}: allowedValues apply to categorical and boolean columns`,
          `${at}.allowedValues`,
        );
      }
      if (constraint.allowedValues!.length === 0)
        throw new SyntheticInputError('allowedValues must not be empty', `${at}.allowedValues`);
    }
  });
}

/** The tightest bounds the constraints put on a column. */
export function boundsFor(
  constraints: SynthesisConstraint[],
  column: string,
): { min: number | null; max: number | null } {
  let min: number | null = null;
  let max: number | null = null;
  for (const c of constraints) {
    if (c.column !== column) continue;
    if (c.min != null) min = min === null ? c.min : Math.max(min, c.min);
    if (c.max != null) max = max === null ? c.max : Math.min(max, c.max);
  }
  return { min, max };
}

/** The allowed values the constraints leave for a column (intersection), or null when unconstrained. */
export function allowedFor(constraints: SynthesisConstraint[], column: string): Set<string> | null {
  let allowed: Set<string> | null = null;
  for (const c of constraints) {
    if (c.column !== column || c.allowedValues == null) continue;
    const next: Set<string> = new Set(c.allowedValues.map(String));
    allowed = allowed === null ? next : new Set<string>([...allowed].filter((v: string) => next.has(v)));
  }
  return allowed;
}
