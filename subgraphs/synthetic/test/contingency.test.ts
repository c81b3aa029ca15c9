import { describe, expect, it } from 'vitest';
import { contingencySimilarity, cramersV } from '../src/metrics/contingency-similarity.metric';
import { Rng } from '../src/math/rng';

/** The two code columns of a contingency table given as counts (row code i, column code j). */
function codesOf(table: number[][], rng?: Rng): [number[], number[]] {
  const pairs: [number, number][] = [];
  table.forEach((row, i) =>
    row.forEach((count, j) => pairs.push(...Array.from({ length: count }, () => [i, j] as [number, number]))),
  );
  if (rng)
    for (let i = pairs.length - 1; i > 0; i--) {
      const k = rng.int(i + 1);
      [pairs[i], pairs[k]] = [pairs[k]!, pairs[i]!];
    }
  return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
}

/** Cramér's V from its definition: χ² over the observed categories, terms added in order of first appearance. */
function cramersVByDefinition([a, b]: [number[], number[]]): number {
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  const cells = new Map<string, number>();
  for (let i = 0; i < a.length; i++) {
    rows.set(a[i]!, (rows.get(a[i]!) ?? 0) + 1);
    cols.set(b[i]!, (cols.get(b[i]!) ?? 0) + 1);
    cells.set(`${a[i]},${b[i]}`, (cells.get(`${a[i]},${b[i]}`) ?? 0) + 1);
  }
  if (a.length === 0 || rows.size < 2 || cols.size < 2) return NaN;
  let chi2 = 0;
  for (const [r, rc] of rows)
    for (const [c, cc] of cols) {
      const expected = (rc * cc) / a.length;
      const observed = cells.get(`${r},${c}`) ?? 0;
      chi2 += ((observed - expected) * (observed - expected)) / expected;
    }
  return Math.sqrt(chi2 / (a.length * (Math.min(rows.size, cols.size) - 1)));
}

describe("Cramér's V", () => {
  it("agrees with scipy.stats.contingency.association(method='cramer')", () => {
    // Values printed by scipy 1.17.1 for these tables.
    expect(
      cramersV(
        codesOf([
          [10, 20],
          [30, 45],
        ]),
      ),
    ).toBeCloseTo(0.06201736729460421, 14);
    const table = [
      [12, 0, 7],
      [3, 9, 4],
      [5, 5, 5],
      [1, 8, 2],
    ];
    expect(cramersV(codesOf(table))).toBeCloseTo(0.42032195862743194, 14);
    expect(cramersV(codesOf(table, new Rng(3)))).toBeCloseTo(0.42032195862743194, 14);
  });

  it('is the definition exactly, whatever the code values and their order of appearance', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 40; trial++) {
      // Sparse code values (gaps, large codes, first appearances out of order) and unbalanced categories.
      const rowCodes = Array.from({ length: 2 + rng.int(8) }, () => rng.int(300));
      const colCodes = Array.from({ length: 2 + rng.int(8) }, () => rng.int(300));
      const n = 1 + rng.int(400);
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < n; i++) {
        a.push(rowCodes[Math.min(rng.int(rowCodes.length), rng.int(rowCodes.length))]!);
        b.push(colCodes[(a[i]! + rng.int(3)) % colCodes.length]!);
      }
      expect(cramersV([a, b])).toBe(cramersVByDefinition([a, b]));
    }
  });

  it('is NaN with fewer than two categories on a side, or no rows', () => {
    expect(cramersV([[], []])).toBeNaN();
    expect(
      cramersV([
        [4, 4, 4],
        [0, 1, 2],
      ]),
    ).toBeNaN();
    expect(
      cramersV([
        [0, 1, 2],
        [7, 7, 7],
      ]),
    ).toBeNaN();
    expect(
      cramersV([
        [0, 1],
        [0, 1],
      ]),
    ).toBe(1);
  });
});

describe('contingency similarity', () => {
  it('is 1 for the same joint distribution and ½ Σ|Δp| otherwise', () => {
    const real = codesOf([
      [2, 2],
      [0, 4],
    ]);
    expect(
      contingencySimilarity(
        real,
        codesOf(
          [
            [1, 1],
            [0, 2],
          ],
          new Rng(5),
        ),
      ),
    ).toBe(1);
    // real p = (.25, .25, 0, .5), synthetic p = (.5, 0, .5, 0): ½(.25 + .25 + .5 + .5) = .75
    expect(
      contingencySimilarity(
        real,
        codesOf([
          [1, 0],
          [1, 0],
        ]),
      ),
    ).toBeCloseTo(0.25, 15);
  });
});
