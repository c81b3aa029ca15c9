import { percentile } from '../src/runtime/version.metrics';

/** What one benchmark cell measured. */
export interface CellResult {
  scenario: string;
  concurrency: number;
  calls: number;
  /** Rows (frames) per call: a raw batched run counts its batch size. */
  rowsPerCall: number;
  seconds: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** CPU time of the service and gateway processes per call (ms), when they took part. */
  serverCpuMs?: number;
  /** A raw cell's CPU time per call in the benchmark's own process (ms): the model's run itself. */
  ownCpuMs?: number;
}

/**
 * Runs `call` from `concurrency` loops for `seconds` (after a short warm-up) and measures each call;
 * `cpuSeconds` (when given) reads the CPU time of the processes serving the calls.
 * @returns throughput inputs and latency percentiles in ms
 */
export async function measure(
  scenario: string,
  concurrency: number,
  seconds: number,
  rowsPerCall: number,
  call: () => Promise<unknown>,
  cpuSeconds?: () => number,
): Promise<CellResult> {
  const warmUntil = performance.now() + 300;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < warmUntil) await call();
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = cpuSeconds?.();
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          await call();
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const serverCpuMs =
    cpuSeconds && cpuBefore !== undefined && latencies.length
      ? ((cpuSeconds() - cpuBefore) * 1000) / latencies.length
      : undefined;
  const own = process.cpuUsage(ownBefore);
  return {
    scenario,
    concurrency,
    calls: latencies.length,
    rowsPerCall,
    seconds: elapsed,
    errors,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    serverCpuMs,
    ownCpuMs: latencies.length ? (own.user + own.system) / 1000 / latencies.length : undefined,
  };
}

/** The column a large-tensor table gives the servers' own cost in (read by bench/bench-judges.ts). */
export const BEYOND_MODEL_PER_MB = "service + gateway CPU ms / MB beyond the model's run";

const fmt = (v: number | null, digits = 2) => (v === null ? '–' : v.toFixed(digits));

/**
 * A markdown table of results; `ratio` compares rows/s with the raw cell of the same concurrency.
 * With `payloadBytes` (one call's input), two more columns: the model's own CPU per call (the raw
 * cells' process time: the runs themselves) and what the service and gateway spend beyond it, per MB
 * of payload (their CPU per call less the raw cell's of the same concurrency).
 */
export function toMarkdown(title: string, results: readonly CellResult[], payloadBytes?: number): string {
  const raw = new Map(results.filter((r) => r.scenario === 'raw session.run').map((r) => [r.concurrency, r]));
  const rate = (r: CellResult) => (r.calls * r.rowsPerCall) / r.seconds;
  const lines = [
    `### ${title}`,
    '',
    `| scenario | concurrency | calls/s | rows/s | vs raw | p50 ms | p95 ms | p99 ms | errors | service + gateway CPU ms / call |${payloadBytes ? ` model run CPU ms / call | ${BEYOND_MODEL_PER_MB} |` : ''}`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|${payloadBytes ? '---:|---:|' : ''}`,
  ];
  const perMb = (r: CellResult) => {
    if (!payloadBytes) return '';
    const model = raw.get(r.concurrency)?.ownCpuMs;
    const isRaw = r.scenario === 'raw session.run';
    const beyond =
      r.serverCpuMs === undefined || model === undefined
        ? '–'
        : ((r.serverCpuMs - model) / (payloadBytes / 2 ** 20)).toFixed(2);
    return ` ${isRaw && r.ownCpuMs !== undefined ? r.ownCpuMs.toFixed(2) : '–'} | ${beyond} |`;
  };
  for (const r of results) {
    const base = raw.get(r.concurrency);
    const ratio = base ? `${((rate(r) / rate(base)) * 100).toFixed(0)}%` : '–';
    lines.push(
      `| ${r.scenario} | ${r.concurrency} | ${(r.calls / r.seconds).toFixed(0)} | ${rate(r).toFixed(0)} | ${ratio} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${r.errors} | ${r.serverCpuMs === undefined ? '–' : r.serverCpuMs.toFixed(2)} |${perMb(r)}`,
    );
  }
  return lines.join('\n');
}
