import type { Cell } from '../table/table.types';
import { toEpochMillis } from '../table/datetime.util';
import { ksStatistic, roundHalfEven } from './numeric.util';

/** SDMetrics rounds to `sys.float_info.dig - 1` decimals before the test. */
const MAX_DECIMALS = 14;

function numericValues(values: Cell[], datetime: boolean): number[] {
  const out: number[] = [];
  for (const value of values) {
    const n = datetime
      ? toEpochMillis(value)
      : typeof value === 'number'
        ? value
        : value === null || value === ''
          ? null
          : Number(value);
    if (n !== null && !Number.isNaN(n)) out.push(roundHalfEven(n, MAX_DECIMALS));
  }
  return out;
}

/**
 * SDMetrics KSComplement: `1 - D` of the two-sample Kolmogorov–Smirnov test on the non-missing
 * values (datetimes as timestamps). NaN when either side has no values.
 */
export function ksComplement(real: Cell[], synthetic: Cell[], datetime = false): number {
  const a = numericValues(real, datetime);
  const b = numericValues(synthetic, datetime);
  if (a.length === 0 || b.length === 0) return NaN;
  return 1 - ksStatistic(a, b);
}
