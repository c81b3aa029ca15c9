import { describe, expect, it } from 'vitest';
import { toEpochMillis } from '../src/table/datetime.util';

describe('toEpochMillis', () => {
  const cases: [string, number | null][] = [
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2024-02-29 13:45:10', Date.UTC(2024, 1, 29, 13, 45, 10)],
    ['2024-02-29T13:45:10+02:00', Date.UTC(2024, 1, 29, 11, 45, 10)],
    ['not a date', null],
  ];

  it('reads dates and date-times (UTC unless a zone is given), the same on every read of a text, past its memory of read texts', () => {
    for (const [text, ms] of cases) expect(toEpochMillis(text)).toBe(ms);
    // Read texts are remembered up to 65,536 of them, then forgotten: answers never change.
    for (let day = 0; day < 70_000; day++) {
      const text = new Date(Date.UTC(1900, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
      expect(toEpochMillis(text)).toBe(Date.UTC(1900, 0, 1) + day * 86_400_000);
    }
    for (const [text, ms] of cases) expect(toEpochMillis(text)).toBe(ms);
    expect(toEpochMillis(null)).toBeNull();
    expect(toEpochMillis(12)).toBe(12);
  });
});
