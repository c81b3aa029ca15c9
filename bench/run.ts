// `npm run bench`: runs every benchmark as its own child process and writes docs/benchmarks.md.
// Options: --only gateway,lineage (a subset; the other sections of the existing file are kept),
// --out <file>, --<key>-args "<args>" (passed to that benchmark, e.g. --gateway-args "--duration 10").
// Charts (SVG bar charts of throughput and latency per target and scenario) go to a folder named
// after the output file (docs/benchmarks/<key>-*.svg) and are shown in the benchmark's section.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chartsOf } from './bench-charts';
import type { Verdict } from './bench-judges';
import { judgeGateway, judgeInference, judgeLineage, judgeSynthetic } from './bench-judges';
import { renderBarChart } from './svg-chart';

const ROOT = path.resolve(__dirname, '..');

interface Benchmark {
  key: string;
  title: string;
  file: string;
  about: string;
  judge?: (output: string) => Verdict[];
  timeoutMinutes: number;
}

const BENCHMARKS: Benchmark[] = [
  {
    key: 'gateway',
    title: 'Gateway: the public federation gateway benchmark (issue #9)',
    file: 'bench/gateway.bench.ts',
    about:
      'Our gateway as shipped against bare `@apollo/gateway` + Apollo Server and `@graphql-hive/gateway` (by default, and as the public benchmark runs it: `--jit` and `inboundInflightRequestDeduplication: true`; 1 process and `--fork 2` against our 2 workers), on the four subgraphs and heavy nested query of graphql-hive/graphql-gateways-benchmark, ' +
      'in two scenarios: identical requests (as the public benchmark sends) and distinct requests (every request differs in variables and user: no deduplication can help). A ceiling row is a plain `node:http` server answering the same bytes with no GraphQL. ' +
      "Goals (issues #9, #21): ours ≥ Hive Gateway in each configuration and ≥ 3× bare Apollo Gateway; on distinct requests ≥ 3× bare Apollo Gateway in CPU per request. Higher req/s and lower latency are better; CPU ms per request is each gateway's own cost per answer.",
    judge: judgeGateway,
    timeoutMinutes: 30,
  },
  {
    key: 'lineage',
    title: 'Catalog: lineage traversal (issue #4)',
    file: 'subgraphs/catalog/bench/lineage.bench.ts',
    about:
      'A generated lineage graph of 100k jobs and datasets; upstream and downstream queries at depth 5 on SQLite and PostgreSQL. Target: well under 100 ms (Marquez is known to take 10–15 s on large graphs). Lower is better.',
    judge: judgeLineage,
    timeoutMinutes: 30,
  },
  {
    key: 'training',
    title: 'Models: training throughput (issue #5)',
    file: 'subgraphs/models/bench/training.bench.ts',
    about:
      'Training throughput (samples/s = rows × epochs over wall time) for logistic regression and an MLP on a generated 100k-row table. The issue sets no numeric target; higher is better.',
    timeoutMinutes: 30,
  },
  {
    key: 'inference',
    title: 'Inference: raw onnxruntime against predict through the gateway (issue #6)',
    file: 'subgraphs/inference/bench/inference.bench.ts',
    about:
      'Raw onnxruntime-node `session.run` against `predict` through the service and the gateway, at concurrency 1, 16 and 64, batching on and off, JSON and binary payloads, for a small model (Silero VAD) and a heavier one (a deep MLP whose single call takes ≥ 5 ms). ' +
      'The inference service and the gateway run as shipped, each in its own Node process (the compiled build as the images run it: `node --enable-source-maps --require reflect-metadata --initial-old-space-size=256 dist/.../main.js`, NODE_ENV=production; the heap flag is SERVICES.<name>.nodeFlags in lib/contracts/services.ts); the benchmark process sends the load over keep-alive connections and runs the raw sessions, so all three share the CPUs. ' +
      "A third model, a convolutional net built with onnx-proto over a 3×320×320 FP32 image (1.2 MB a call, ≥ 20 ms), runs at concurrency 1 and 8: raw, `predict` rawData through the service and the gateway, OIP REST binary; its table gives the model's own CPU per call and what the service and gateway spend beyond it per MB of payload, and /health/live latency on the service while clients keep that model busy (what the kubelet probes see). " +
      'Targets: on the heavier model, through the gateway ≥ 80% of raw throughput at concurrency 16; on the small model, added latency p50 < 2 ms at concurrency 1; batching ≥ 3× unbatched throughput on a batchable model; on the image model (issue #21) rawData through the gateway ≥ 80% of raw at concurrency 8, gateway + service CPU ≤ 3 ms per MB, OIP REST binary ≥ 90% of raw. ' +
      "Where the small model's time goes at concurrency 1, stage by stage: docs/inference-latency.md.",
    judge: judgeInference,
    timeoutMinutes: 30,
  },
  {
    key: 'synthetic',
    title: 'Synthetic data: fit and generate throughput, and the whole job (issues #7, #21)',
    file: 'subgraphs/synthetic/bench/synthetic.bench.ts',
    about:
      'Fit and generate throughput (rows/s) for a 10-column, 100k-row table, the time of a full in-memory job, and the whole job through the service (source in a real catalog; fit, generate, score, and the output registered in the catalog). Targets: ≥ 100,000 generated rows/s; ≥ 50,000 rows/s for the whole job (issue #21). Higher is better.',
    judge: judgeSynthetic,
    timeoutMinutes: 30,
  },
];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface RunOutcome {
  status: 'ok' | 'missing' | 'failed';
  output: string;
  error?: string;
  seconds: number;
  started: Date;
  loadBefore: number[];
  loadAfter: number[];
}

function runBenchmark(b: Benchmark, extraArgs: string[]): Promise<RunOutcome> {
  const started = new Date();
  const loadBefore = os.loadavg();
  const file = path.join(ROOT, b.file);
  if (!fs.existsSync(file))
    return Promise.resolve({
      status: 'missing',
      output: '',
      error: `${b.file} does not exist`,
      seconds: 0,
      started,
      loadBefore,
      loadAfter: loadBefore,
    });
  process.stderr.write(`[bench] ${b.key}: ${b.file} ${extraArgs.join(' ')}\n`);
  return new Promise((resolve) => {
    // reflect-metadata preloaded as the service images do: the subgraph benches load type-graphql code.
    const child = spawn(process.execPath, ['--require', 'reflect-metadata', '--import', 'tsx', file, ...extraArgs], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderrTail = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => {
      process.stderr.write(c);
      stderrTail = (stderrTail + c.toString('utf8')).slice(-4000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, b.timeoutMinutes * 60_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started.getTime()) / 1000;
      const base = { output: stdout.trim(), seconds, started, loadBefore, loadAfter: os.loadavg() };
      if (code === 0 && !timedOut) resolve({ status: 'ok', ...base });
      else
        resolve({
          status: 'failed',
          ...base,
          error: `${timedOut ? `timed out after ${b.timeoutMinutes} min; ` : ''}exit code ${code}${signal ? `, signal ${signal}` : ''}\n${stderrTail.trim()}`,
        });
    });
  });
}

/** Shifts a child's headings so its top level sits under our `##` section heading. */
function demoteHeadings(markdown: string): string {
  const levels = [...markdown.matchAll(/^(#+)\s/gm)].map((m) => m[1]!.length);
  if (!levels.length) return markdown;
  const shift = 3 - Math.min(...levels);
  return markdown.replace(
    /^(#+)(\s)/gm,
    (_, hashes: string, space: string) => `${'#'.repeat(Math.max(1, hashes.length + shift))}${space}`,
  );
}

const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');

/**
 * Writes the charts of a benchmark's output into `chartDir` (replacing that benchmark's earlier ones).
 * @returns markdown images linking them, relative to the document in `docDir`
 */
function writeCharts(b: Benchmark, output: string, chartDir: string, docDir: string): string[] {
  fs.mkdirSync(chartDir, { recursive: true });
  for (const f of fs.readdirSync(chartDir))
    if (f.startsWith(`${b.key}-`) && f.endsWith('.svg')) fs.rmSync(path.join(chartDir, f));
  const charts = chartsOf(b.key, b.title, output);
  for (const c of charts) fs.writeFileSync(path.join(chartDir, c.file), renderBarChart(c.chart));
  const rel = path.relative(docDir, chartDir).split(path.sep).join('/');
  return charts.map((c) => `![${c.chart.title.replace(/[[\]]/g, '')}](${rel}/${c.file})`);
}

function renderSection(b: Benchmark, r: RunOutcome, charts: string[] = []): string {
  const lines = [`<!-- bench:${b.key} -->`, `## ${b.title}`, '', b.about, ''];
  lines.push(
    `Run ${r.started.toISOString()} (\`${b.file}\`), ${r.seconds.toFixed(0)} s; load average (1, 5, 15 min) before ${fmtLoad(r.loadBefore)}, after ${fmtLoad(r.loadAfter)} on ${os.cpus().length} CPUs.`,
    '',
  );
  if (r.status !== 'ok') {
    lines.push(
      `**${r.status === 'missing' ? 'Not run: the benchmark script is missing' : 'The benchmark failed'}.**`,
      '',
      '```',
      (r.error ?? '').slice(0, 4000),
      '```',
    );
    if (r.output) lines.push('', 'Output before the failure:', '', demoteHeadings(r.output));
  } else {
    const verdicts = b.judge?.(r.output) ?? [];
    if (verdicts.length) {
      lines.push('| target | measured | met |', '|---|---|---|');
      for (const v of verdicts)
        lines.push(
          `| ${v.target.replace(/\|/g, '\\|')} | ${v.measured.replace(/\|/g, '\\|')} | ${v.met === undefined ? 'could not tell' : v.met ? 'yes' : 'no'} |`,
        );
      lines.push('');
    }
    lines.push(demoteHeadings(r.output));
    if (charts.length) lines.push('', '**Charts**', '', ...charts.flatMap((c) => [c, '']));
  }
  lines.push(`<!-- /bench:${b.key} -->`);
  return lines.join('\n');
}

function previousSections(file: string): Map<string, string> {
  const sections = new Map<string, string>();
  if (!fs.existsSync(file)) return sections;
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(/<!-- bench:([\w-]+) -->[\s\S]*?<!-- \/bench:\1 -->/g)) sections.set(m[1]!, m[0]);
  return sections;
}

function machineFacts(): string {
  const cpus = os.cpus();
  return [
    '## Machine',
    '',
    '| fact | value |',
    '|---|---|',
    `| CPU | ${cpus[0]?.model ?? 'unknown'} |`,
    `| cores (logical CPUs) | ${cpus.length} (available parallelism ${os.availableParallelism()}) |`,
    `| memory | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`,
    `| OS | ${os.type()} ${os.release()} ${os.arch()} |`,
    `| Node | ${process.version} |`,
    `| date | ${new Date().toISOString()} |`,
    `| load average at start (1, 5, 15 min) | ${fmtLoad(os.loadavg())} |`,
    '',
    'These facts are from the latest `npm run bench`; each section below states when it ran and the load around it. ' +
      'A load average above the CPU count means other processes shared the CPUs: absolute numbers are then lower and noisier than on a quiet machine, while side-by-side comparisons in one run stay meaningful.',
  ].join('\n');
}

async function main(): Promise<void> {
  const only = (option('only') ?? '').split(',').filter(Boolean);
  const unknown = only.filter((k) => !BENCHMARKS.some((b) => b.key === k));
  if (unknown.length)
    throw new Error(`Unknown benchmark(s) ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.key).join(', ')}`);
  const out = path.resolve(ROOT, option('out') ?? 'docs/benchmarks.md');
  const kept = previousSections(out);
  const header = machineFacts();
  const sections: string[] = [];
  for (const b of BENCHMARKS) {
    if (only.length && !only.includes(b.key)) {
      sections.push(
        kept.get(b.key) ??
          [
            `<!-- bench:${b.key} -->`,
            `## ${b.title}`,
            '',
            b.about,
            '',
            `Not run yet: \`npm run bench -- --only ${b.key}\`.`,
            `<!-- /bench:${b.key} -->`,
          ].join('\n'),
      );
      continue;
    }
    const extra = (option(`${b.key}-args`) ?? '').split(/\s+/).filter(Boolean);
    const result = await runBenchmark(b, extra);
    process.stderr.write(`[bench] ${b.key}: ${result.status} in ${result.seconds.toFixed(0)} s\n`);
    const charts =
      result.status === 'ok'
        ? writeCharts(b, result.output, path.join(path.dirname(out), path.basename(out, '.md')), path.dirname(out))
        : [];
    sections.push(renderSection(b, result, charts));
  }
  const doc = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (`bench/run.ts`). `npm run bench -- --only gateway` reruns one benchmark and keeps the other sections. ' +
      `Each section rerun since charts were added shows SVG bar charts (throughput and p50 latency per target and scenario) written to \`${path.basename(out, '.md')}/\` beside this file. ` +
      'Shorter rounds: `--gateway-args "--duration 5 --rounds 1"`, `--inference-args "--seconds 1"`, `--synthetic-args "--rows 20000"`.',
    '',
    header,
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, doc);
  process.stderr.write(`[bench] wrote ${path.relative(ROOT, out)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
