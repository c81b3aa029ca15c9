// Synthesis throughput: a 10-column × 100k-row table (6 correlated numerics with missing values,
// 1 date, 3 categoricals), fit / generate / full job / quality report / DCR timings; then the whole
// job as a user runs it: the table registered in a real catalog, a createSyntheticDataJob on a real
// synthetic service (both in this process on port 0, SQLite), timed from submission until the output
// dataset is registered in the catalog (fit, generate, score, register). Prints markdown.
//   npx tsx subgraphs/synthetic/bench/synthetic.bench.ts [--rows 100000] [--seed 1] [--job 1]
import { performance } from 'node:perf_hooks';
import { Rng } from '../src/math/rng';
import { computeQualityReport } from '../src/metrics/quality.report';
import { dcrBaselineProtection } from '../src/privacy/privacy.metrics';
import { synthesize } from '../src/synthesizer/synthesize';
import type { SynthesizerKind } from '../src/synthesizer/table-model';
import { fitTableModel, sampleRows } from '../src/synthesizer/table-model';
import { toCsv } from '../src/table/csv.codec';
import { inferColumns } from '../src/table/column-inference';
import { gql } from '../../../lib/src/testing/harness';
import { RUNNER, registerDataset, startSynthetic } from '../test/synthetic.harness';
import type { Cell, Table } from '../src/table/table.types';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}

/** A table with known structure: numerics driven by two latent factors, skewed and with nulls. */
function benchTable(rows: number, seed: number): Table {
  const rng = new Rng(seed);
  const regions = ['north', 'south', 'east', 'west', 'central'];
  const tiers = ['bronze', 'silver', 'gold'];
  const channels = ['web', 'store', 'phone', 'partner'];
  const data: Cell[][] = [];
  for (let i = 0; i < rows; i++) {
    const a = rng.normal();
    const b = rng.normal();
    const income = Math.round(Math.exp(10.5 + 0.4 * a) / 10) * 10;
    const age = Math.round(Math.min(90, Math.max(18, 42 + 12 * (0.6 * a + 0.8 * rng.normal()))));
    const spend = Number((income * 0.02 * Math.exp(0.3 * b)).toFixed(2));
    const visits = Math.max(0, Math.round(8 + 4 * b + 2 * rng.normal()));
    const score = Number((600 + 80 * (0.5 * a - 0.3 * b) + 30 * rng.normal()).toFixed(1));
    const tenure = rng.next() < 0.05 ? null : Number(Math.abs(3 + 2 * a + rng.normal()).toFixed(2));
    const day = new Date(Date.UTC(2020, 0, 1) + Math.floor(rng.next() * 1460) * 86_400_000).toISOString().slice(0, 10);
    const tier = tiers[Math.min(2, Math.max(0, Math.floor(1 + a + 0.5 * rng.normal())))]!;
    data.push([income, age, spend, visits, score, tenure, day, rng.pick(regions), tier, rng.pick(channels)]);
  }
  return {
    columns: ['income', 'age', 'spend', 'visits', 'score', 'tenure', 'signup_date', 'region', 'tier', 'channel'],
    rows: data,
  };
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, (performance.now() - start) / 1000];
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, (performance.now() - start) / 1000];
}

async function main(): Promise<void> {
  const rows = arg('rows', 100_000);
  const seed = arg('seed', 1);
  const source = benchTable(rows, seed);
  const columns = inferColumns(source);
  const lines: string[] = [];
  lines.push(
    `### Synthetic data: ${source.columns.length} columns × ${rows.toLocaleString('en-US')} rows (Node ${process.version})`,
    '',
  );
  lines.push(
    '| synthesizer | fit (s) | fit rows/s | generate (s) | generated rows/s | full job (s) | overall quality | column pair trends |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const synthesizer of ['GAUSSIAN_COPULA', 'INDEPENDENT', 'DP_GAUSSIAN_COPULA'] as SynthesizerKind[]) {
    const options = { synthesizer, seed, epsilon: synthesizer === 'DP_GAUSSIAN_COPULA' ? 1 : null };
    const [model, fitSeconds] = time(() => fitTableModel(source, columns, options));
    const [, generateSeconds] = time(() => sampleRows(model, rows, new Rng(seed)));
    const [result, jobSeconds] = await timeAsync(() => synthesize({ source, rows, ...options }));
    lines.push(
      `| ${synthesizer} | ${fitSeconds.toFixed(2)} | ${Math.round(rows / fitSeconds).toLocaleString('en-US')} | ${generateSeconds.toFixed(2)} | ` +
        `${Math.round(rows / generateSeconds).toLocaleString('en-US')} | ${jobSeconds.toFixed(2)} | ${result.quality.overall.toFixed(3)} | ${result.quality.columnPairTrends.score.toFixed(3)} |`,
    );
  }
  const synthetic = (await synthesize({ source, rows, synthesizer: 'GAUSSIAN_COPULA', seed })).table;
  const [, qualitySeconds] = time(() => computeQualityReport(source, synthetic, columns));
  const [, dcrSeconds] = time(() => dcrBaselineProtection(source, synthetic, columns, seed));
  lines.push('', '| report part | time (s) |', '|---|---:|');
  lines.push(
    `| quality report (SDMetrics properties, ${rows.toLocaleString('en-US')} vs ${rows.toLocaleString('en-US')} rows) | ${qualitySeconds.toFixed(2)} |`,
  );
  lines.push(
    `| DCR baseline protection (1,000 synthetic rows vs ${rows.toLocaleString('en-US')} real + random baseline) | ${dcrSeconds.toFixed(2)} |`,
  );
  lines.push(
    '',
    '"full job" = fit + generate + exact-copy redraw + PII fill + quality and privacy reports (no catalog I/O).',
  );
  if (arg('job', 1)) lines.push('', ...(await wholeJob(source, rows, seed)));
  console.log(lines.join('\n'));
}

/**
 * The whole job through the service: registers the source in a real catalog, submits a job for
 * `rows` rows and follows its stage (polled every 50 ms) until it succeeds; checks the output
 * dataset is in the catalog with the rows asked for.
 * @returns the markdown lines of the whole-job table
 */
async function wholeJob(source: Table, rows: number, seed: number): Promise<string[]> {
  const h = await startSynthetic(undefined, { maxRows: Math.max(rows, 500_000) });
  try {
    const token = await h.issuer.issue({ sub: 'bench-user', org: 'bench-org', perms: RUNNER });
    const csv = toCsv(source);
    const sourceId = await registerDataset(h, token, {
      name: 'bench-source',
      format: 'CSV',
      content: csv,
      classification: 'INTERNAL',
    });
    const submitted = performance.now();
    const res = await h.gql(
      'mutation($s: ID!, $r: Int!, $seed: Int) { createSyntheticDataJob(input: { sourceDatasetId: $s, rows: $r, seed: $seed }) { id } }',
      { s: sourceId, r: rows, seed },
      token,
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    const id = res.data.createSyntheticDataJob.id as string;
    const stages = new Map<string, number>();
    let job: any;
    for (;;) {
      const r = await h.gql(
        'query($id: ID!) { syntheticDataJob(id: $id) { status stage error startedAt finishedAt output { id } } }',
        { id },
        token,
      );
      job = r.data?.syntheticDataJob;
      if (job && !stages.has(job.stage)) stages.set(job.stage, performance.now());
      if (job && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status)) break;
      if (performance.now() - submitted > 20 * 60_000) throw new Error(`job ${id} did not finish in 20 min`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const doneAt = performance.now();
    if (job.status !== 'SUCCEEDED') throw new Error(`job ${id} ${job.status}: ${job.error}`);
    const output = await gql(
      h.catalog.graphqlUrl,
      'query($id: ID!) { dataset(id: $id) { id latestContent { rowCount status } } }',
      { id: job.output.id },
      token,
    );
    const registeredRows = output.data?.dataset?.latestContent?.rowCount as number | undefined;
    const seconds = (doneAt - submitted) / 1000;
    const workerSeconds = (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000;
    const order = [...stages.entries()].sort((a, b) => a[1] - b[1]);
    const stageTimes = order
      .map(([stage, at], i) => `${stage} ${(((order[i + 1]?.[1] ?? doneAt) - at) / 1000).toFixed(2)} s`)
      .join(', ');
    return [
      `Whole job through the service (GAUSSIAN_COPULA; source registered as CSV, ${(Buffer.byteLength(csv) / 2 ** 20).toFixed(1)} MB, in a real catalog; output registered there):`,
      '',
      '| job | rows | whole job (s) | whole job rows/s | worker time (s) | rows in the registered output | stages (polled every 50 ms) |',
      '|---|---:|---:|---:|---:|---:|---|',
      `| fit, generate, score, register | ${rows.toLocaleString('en-US')} | ${seconds.toFixed(2)} | ${Math.round(rows / seconds).toLocaleString('en-US')} | ${workerSeconds.toFixed(2)} | ${registeredRows?.toLocaleString('en-US') ?? 'unknown'} | ${stageTimes} |`,
      '',
      '"whole job" runs from the createSyntheticDataJob mutation until the job reads SUCCEEDED with its output dataset registered in the catalog; "worker time" is the job\'s startedAt → finishedAt.',
    ];
  } finally {
    await h.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
