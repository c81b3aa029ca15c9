import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from '../src/data/normal';
import { SeededRandom } from '../src/data/random';

const draws = (rng: SeededRandom, n: number): number[] => Array.from({ length: n }, () => rng.next());

describe('SeededRandom (the one seeded generator)', () => {
  it('repeats a stream for a seed and differs between seeds', () => {
    expect(draws(new SeededRandom(7), 50)).toEqual(draws(new SeededRandom(7), 50));
    expect(draws(new SeededRandom(7), 50)).not.toEqual(draws(new SeededRandom(8), 50));
  });

  it('forks streams that depend on the seed and label only, not on draws made before', () => {
    const a = new SeededRandom(3);
    const b = new SeededRandom(3);
    draws(b, 100);
    expect(draws(a.fork('rows'), 20)).toEqual(draws(b.fork('rows'), 20));
    expect(draws(a.fork('rows'), 20)).not.toEqual(draws(a.fork('columns'), 20));
  });

  it('draws in range with the expected moments', () => {
    const rng = new SeededRandom(11);
    const n = 20_000;
    const u = draws(rng, n);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((s, x) => s + x, 0) / n).toBeCloseTo(0.5, 1);
    const ints = Array.from({ length: n }, () => rng.int(6));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    const uniform = Array.from({ length: 1000 }, () => rng.uniform(-2, 3));
    expect(uniform.every((x) => x >= -2 && x < 3)).toBe(true);
    for (const sample of [() => rng.normal(), () => rng.gaussian()]) {
      const xs = Array.from({ length: n }, sample);
      const mean = xs.reduce((s, x) => s + x, 0) / n;
      const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
      expect(mean).toBeCloseTo(0, 1);
      expect(variance).toBeCloseTo(1, 1);
    }
    const laplace = Array.from({ length: n }, () => rng.laplace(2));
    expect(laplace.reduce((s, x) => s + Math.abs(x), 0) / n).toBeCloseTo(2, 0);
  });

  it('shuffles into a permutation and picks from the list', () => {
    const rng = new SeededRandom(5);
    const values = Int32Array.from({ length: 100 }, (_, i) => i);
    rng.shuffle(values);
    expect([...values].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...values]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(['a', 'b', 'c']).toContain(rng.pick(['a', 'b', 'c']));
  });

  it('inverts the normal CDF', () => {
    for (const p of [0.001, 0.1, 0.5, 0.9, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });
});

describe('SeededRandom, mulberry32 stream (the stream models seeds name)', () => {
  it('repeats the numbers models drew before the generators were merged', () => {
    const r = new SeededRandom(42, 'mulberry32');
    expect([r.next(), r.next(), r.int(1000), r.gaussian(), r.gaussian(), r.uniform(-1, 1)]).toEqual([
      0.4813160905614495, 0.9852536325342953, 737, -0.28421348790145684, -0.9475162409226252, 0.9311483837664127,
    ]);
    const negative = new SeededRandom(-7.9, 'mulberry32');
    expect([negative.next(), negative.next()]).toEqual([0.7811260817106813, 0.4673962155357003]);
  });

  it('forks on the same algorithm', () => {
    expect(new SeededRandom(1, 'mulberry32').fork('x').algorithm).toBe('mulberry32');
    expect(draws(new SeededRandom(1, 'mulberry32'), 5)).not.toEqual(draws(new SeededRandom(1), 5));
  });
});
