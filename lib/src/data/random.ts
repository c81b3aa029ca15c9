import { normalQuantile } from './normal';

/**
 * Which stream a seed names. `sfc32` (seeded through splitmix32, 53-bit uniforms) is the default;
 * `mulberry32` (32-bit uniforms) is the stream models' seeds have always named (training splits,
 * weight initialisation, batch order, HPO samplers), kept so a stored seed repeats its results.
 */
export type SeededAlgorithm = 'sfc32' | 'mulberry32';

/**
 * The one seeded pseudo-random generator of the platform. Same seed, algorithm and call sequence
 * give the same numbers on every platform, so splits, weight initialisation, samplers and
 * synthetic rows repeat exactly; `fork(label)` derives an independent stream so adding draws in
 * one part of a job does not shift another part's numbers.
 */
export class SeededRandom {
  // Int32Array state keeps the generator on small-integer arithmetic (object fields holding
  // uint32 values would be boxed as heap numbers on every write).
  private readonly state = new Int32Array(4);
  private readonly mulberry: boolean;
  private spareGaussian: number | undefined;

  constructor(
    readonly seed: number,
    readonly algorithm: SeededAlgorithm = 'sfc32',
  ) {
    this.mulberry = algorithm === 'mulberry32';
    if (this.mulberry) {
      this.state[0] = Math.trunc(seed) ^ 0x9e3779b9;
      return;
    }
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.state[i] = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A new generator whose stream depends on this seed and the label only. */
  fork(label: string): SeededRandom {
    let h = this.seed ^ 0x811c9dc5;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    return new SeededRandom(h >>> 0, this.algorithm);
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const st = this.state;
    if (this.mulberry) {
      st[0] = (st[0]! + 0x6d2b79f5) | 0;
      let t = st[0];
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    }
    const a = st[0]!;
    const b = st[1]!;
    const c = st[2]!;
    const d = st[3]!;
    const t = (((a + b) | 0) + d) | 0;
    st[3] = (d + 1) | 0;
    st[0] = b ^ (b >>> 9);
    st[1] = (c + (c << 3)) | 0;
    st[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1): 53 bits of precision with sfc32, 32 with mulberry32. */
  next(): number {
    if (this.mulberry) return this.nextUint32() / 4294967296;
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  /** Uniform in the open interval (0, 1), safe for quantile functions. */
  nextOpen(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return u;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal draw by inversion (Acklam's quantile: one uniform, no rejection loop). */
  normal(): number {
    return normalQuantile(this.nextOpen());
  }

  /** Standard normal draw by Box–Muller, caching the second value (two uniforms per pair of draws). */
  gaussian(): number {
    if (this.spareGaussian !== undefined) {
      const value = this.spareGaussian;
      this.spareGaussian = undefined;
      return value;
    }
    const u = this.nextOpen();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareGaussian = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Laplace(0, scale) draw by inverse CDF. */
  laplace(scale: number): number {
    const u = this.nextOpen() - 0.5;
    return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  }

  /** One element of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined && items.length === 0) throw new RangeError('pick needs a non-empty list');
    return item as T;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<A extends { length: number; [index: number]: unknown }>(values: A): A {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
    return values;
  }
}
