import os from 'node:os';
import type { LoadResult } from './load';

export interface Measured extends LoadResult {
  /** CPU seconds the gateway's process tree used during the measured run. */
  gatewayCpuSeconds: number;
  /** CPU seconds the four subgraph processes used during the same run. */
  subgraphCpuSeconds: number;
  /** GraphQL requests the four subgraphs served during the same run (undefined when not counted). */
  subgraphRequests?: number;
  gatewayRssBytes: number;
  /** 1-minute load average at the start and the end of the measured run. */
  loadAverage: [number, number];
}

export interface TargetOutcome {
  key: string;
  label: string;
  processes: number;
  rounds: Measured[];
  /** Why the gateway could not be measured (start-up or first answer failed). */
  error?: string;
  /** Differences between its first answer and the benchmark's data. */
  answerProblems?: string[];
  /** Size of its first answer's body. */
  answerBytes?: number;
  /** Whether its first answer's data is byte-identical to the first gateway's. */
  sameDataAsFirst?: boolean;
}

export interface GatewayReportInput {
  outcomes: TargetOutcome[];
  settings: { durationSeconds: number; warmupSeconds: number; connections: number; rounds: number };
  loadBefore: number[];
  loadAfter: number[];
  started: Date;
  subgraphUrls: string[];
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / (xs.length || 1);
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

interface Summary {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  failures: { errors: number; non2xx: number; mismatches: number };
  cpuMsPerRequest: number;
  rssMb: number;
  subgraphCallsPerRequest: number;
}

function summarize(o: TargetOutcome): Summary | undefined {
  if (!o.rounds.length) return undefined;
  const requests = sum(o.rounds.map((r) => r.requests));
  return {
    rps: mean(o.rounds.map((r) => r.rps)),
    p50: mean(o.rounds.map((r) => r.latencyMs.p50)),
    p95: mean(o.rounds.map((r) => r.latencyMs.p95)),
    p99: mean(o.rounds.map((r) => r.latencyMs.p99)),
    requests,
    failures: {
      errors: sum(o.rounds.map((r) => r.errors)),
      non2xx: sum(o.rounds.map((r) => r.non2xx)),
      mismatches: sum(o.rounds.map((r) => r.mismatches)),
    },
    // No answer in the measured time (a loaded machine, short runs): no cost per answer to give.
    cpuMsPerRequest: requests ? (sum(o.rounds.map((r) => r.gatewayCpuSeconds)) * 1000) / requests : Number.NaN,
    rssMb: Math.max(...o.rounds.map((r) => r.gatewayRssBytes)) / 2 ** 20,
    subgraphCallsPerRequest: o.rounds.every((r) => r.subgraphRequests !== undefined)
      ? sum(o.rounds.map((r) => r.subgraphRequests!)) / (requests || Number.NaN)
      : Number.NaN,
  };
}

function answerCell(o: TargetOutcome): string {
  if (o.answerProblems === undefined) return '–';
  if (o.answerProblems.length) return `wrong: ${o.answerProblems.slice(0, 2).join('; ').replace(/\|/g, '\\|')}`;
  return o.sameDataAsFirst ? 'correct, identical' : 'correct, differs in bytes';
}

/**
 * Renders the gateway benchmark as markdown: the setup, one row per gateway, the rounds, the
 * ratios against the goals (met or not), the machine's load, and any gateway that failed.
 * @returns the markdown text (no top-level heading: the runner adds it)
 */
export function renderGatewayReport(input: GatewayReportInput): string {
  const { outcomes, settings, loadBefore, loadAfter } = input;
  const cpus = os.cpus().length;
  const lines: string[] = [];
  lines.push(
    `Run ${input.started.toISOString()}: ${settings.connections} connections, ${settings.warmupSeconds} s warm-up then ${settings.durationSeconds} s measured per gateway, ` +
      `${settings.rounds} interleaved round(s) (every gateway once per round, one at a time), all on 127.0.0.1.`,
    '',
    'Setup, as in the public graphql-hive/graphql-gateways-benchmark "federation" case: four subgraphs (accounts, inventory, products, reviews) with its schemas ' +
      '(`@key`, `@requires(fields: "price weight")`, `@provides(fields: "username")`) and rows, each in its own Node process ' +
      "(`bench/gateway/subgraph.main.ts`; parsed documents and answers to repeated request bodies are kept in memory, so the subgraphs stay cheap, as the benchmark's Rust subgraphs are), " +
      'composed with `@apollo/composition`, and its heavy nested `TestQuery` (users → reviews → product → reviews → author → reviews → product, plus topProducts → reviews → author → reviews → product; ' +
      `about ${Math.round(mean(outcomes.flatMap((o) => (o.answerBytes ? [o.answerBytes] : []))) / 1024)} KiB per answer). Every gateway runs in its own process; autocannon runs in the benchmark process. ` +
      'One difference from the reference: its Rust inventory subgraph ignores the `@requires` fields and always answers `shippingEstimate: null`; ours computes it from them (same shape, an Int).',
    '',
    '| gateway | processes | req/s | p50 ms | p95 ms | p99 ms | requests | socket errors | non-2xx | GraphQL errors | gateway CPU ms / request | subgraph calls / request | gateway RSS MB | first answer |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const o of outcomes) {
    const s = summarize(o);
    if (!s) {
      lines.push(`| ${o.label} | ${o.processes} | failed (see below) | | | | | | | | | | | ${answerCell(o)} |`);
      continue;
    }
    lines.push(
      `| ${o.label} | ${o.processes} | ${f1(s.rps)} | ${f1(s.p50)} | ${f1(s.p95)} | ${f1(s.p99)} | ${s.requests} | ${s.failures.errors} | ${s.failures.non2xx} | ${s.failures.mismatches} | ${f2(s.cpuMsPerRequest)} | ${f1(s.subgraphCallsPerRequest)} | ${f1(s.rssMb)} | ${answerCell(o)} |`,
    );
  }
  lines.push(
    '',
    `req/s and latency percentiles are the mean over the rounds; latency is per request as autocannon saw it (queueing included: ${settings.connections} requests are always in flight). ` +
      '"gateway CPU ms / request" is the CPU time of the gateway\'s processes (from /proc) divided by the requests they answered: it measures the gateway\'s own cost and, unlike req/s, barely depends on what else the machine is running. ' +
      '"subgraph calls / request" is the GraphQL requests the four subgraphs served during the run divided by the answers: the query plan has 16 fetches, so 16 without sharing; ' +
      'fewer where a gateway lets identical in-flight fetches share one call. "GraphQL errors" counts HTTP 200 answers with an `errors` key.',
  );
  const bare = summarize(outcomes.find((o) => o.key === 'bare') ?? ({ rounds: [] } as unknown as TargetOutcome));
  const bareHttp = summarize(
    outcomes.find((o) => o.key === 'bare-http') ?? ({ rounds: [] } as unknown as TargetOutcome),
  );
  if (bare && bareHttp) {
    lines.push(
      '',
      `The diagnostic row is bare Apollo Gateway with one change: subgraph calls through \`node:http\` with a keep-alive agent (our gateway's subgraph client, \`gateway/src/http-fetcher.ts\`) instead of its default fetch. ` +
        `It answers at ${f2(bareHttp.rps / bare.rps)}× the throughput for ${f2(bareHttp.cpuMsPerRequest / bare.cpuMsPerRequest)}× the CPU per request: in a Node gateway on this query (16 subgraph fetches per request), the subgraph HTTP client is a large part of the cost.`,
    );
  }

  const ours = summarize(outcomes.find((o) => o.key === 'ours') ?? ({ rounds: [] } as unknown as TargetOutcome));
  const oursAlone = summarize(
    outcomes.find((o) => o.key === 'ours-nodedupe') ?? ({ rounds: [] } as unknown as TargetOutcome),
  );
  if (ours && oursAlone) {
    lines.push(
      '',
      `The diagnostic row "ours … AIC_SUBGRAPH_DEDUPE=false" is our gateway with subgraph request deduplication off (every fetch makes its own call). ` +
        `With it on, as shipped, identical fetches in flight at the same time share one call (${f1(ours.subgraphCallsPerRequest)} instead of ${f1(oursAlone.subgraphCallsPerRequest)} subgraph calls per answer here, where 50 clients send the same query): ` +
        `${f2(ours.rps / oursAlone.rps)}× the throughput for ${f2(ours.cpuMsPerRequest / oursAlone.cpuMsPerRequest)}× the CPU per request. Whole answers are never cached.`,
    );
  }

  const by = new Map(outcomes.map((o) => [o.key, summarize(o)]));
  // [comparison, ours, theirs, goal, judged on]: throughput ratio (ours ÷ theirs) or CPU per request (theirs ÷ ours).
  const goals: [string, string, string, number, 'throughput' | 'CPU'][] = [
    ['ours vs bare Apollo Gateway (1 process each)', 'ours', 'bare', 3, 'throughput'],
    ['ours vs Hive Gateway, default (1 process each)', 'ours', 'hive', 1, 'throughput'],
    ['ours vs Hive Gateway, public benchmark config (1 process each)', 'ours', 'hive-public', 1, 'throughput'],
    ['ours (2 workers) vs bare Apollo Gateway (1 process, it has no worker mode)', 'ours-2w', 'bare', 3, 'throughput'],
    ['ours (2 workers) vs Hive Gateway, default (--fork 2)', 'ours-2w', 'hive-2f', 1, 'throughput'],
    [
      'ours (2 workers) vs Hive Gateway, public benchmark config (--fork 2)',
      'ours-2w',
      'hive-public-2f',
      1,
      'throughput',
    ],
    ['distinct requests: ours vs bare Apollo Gateway, CPU per request', 'ours-distinct', 'bare-distinct', 3, 'CPU'],
    ['distinct requests: ours vs Hive Gateway, default', 'ours-distinct', 'hive-distinct', 1, 'throughput'],
    [
      'distinct requests: ours vs Hive Gateway, public benchmark config',
      'ours-distinct',
      'hive-public-distinct',
      1,
      'throughput',
    ],
  ];
  lines.push(
    '',
    '**Goals** (issues #9 and #21: ours ≥ Hive Gateway in each configuration and ≥ 3× bare Apollo Gateway; on distinct requests ≥ 3× bare Apollo Gateway in CPU per request):',
    '',
    '| comparison | throughput ratio | CPU-per-request ratio (theirs ÷ ours) | goal | met |',
    '|---|---:|---:|---:|---|',
  );
  for (const [title, a, b, goal, on] of goals) {
    const x = by.get(a);
    const y = by.get(b);
    if (!x || !y) {
      lines.push(`| ${title} | not measured | | ≥ ${goal}× ${on} | – |`);
      continue;
    }
    if (!x.requests || !y.requests) {
      lines.push(`| ${title} | no answer in the measured time | | ≥ ${goal}× ${on} | – |`);
      continue;
    }
    const ratio = x.rps / y.rps;
    const cpuRatio = y.cpuMsPerRequest / x.cpuMsPerRequest;
    const judged = on === 'CPU' ? cpuRatio : ratio;
    lines.push(`| ${title} | ${f2(ratio)}× | ${f2(cpuRatio)}× | ≥ ${goal}× ${on} | ${judged >= goal ? 'yes' : 'no'} |`);
  }

  const ceiling = by.get('ceiling');
  if (ceiling && ceiling.rps > 0) {
    const share = (key: string) => {
      const x = by.get(key);
      return x ? `${key} ${((x.rps / ceiling.rps) * 100).toFixed(0)}%` : undefined;
    };
    const shares = ['ours', 'ours-2w', 'hive', 'hive-public', 'bare'].map(share).filter(Boolean);
    lines.push(
      '',
      `The ceiling row is a plain \`node:http\` server (\`bench/gateway/ceiling.main.ts\`) that reads each request and answers the same ${Math.round((outcomes.find((o) => o.key === 'ceiling')?.answerBytes ?? 0) / 1024)} KiB of bytes, with no GraphQL: what one Node process can serve at best with this client and answer size on this machine. ` +
        `Identical requests, as a share of its throughput: ${shares.join(', ')}.`,
    );
  }

  lines.push(
    '',
    'Rounds:',
    '',
    '| gateway | round | req/s | p50 ms | p99 ms | gateway CPU s | subgraphs CPU s | 1-min load avg (start → end) |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const o of outcomes) {
    o.rounds.forEach((r, i) =>
      lines.push(
        `| ${o.label} | ${i + 1} | ${f1(r.rps)} | ${f1(r.latencyMs.p50)} | ${f1(r.latencyMs.p99)} | ${f1(r.gatewayCpuSeconds)} | ${f1(r.subgraphCpuSeconds)} | ${f1(r.loadAverage[0])} → ${f1(r.loadAverage[1])} |`,
      ),
    );
  }

  // Measured before any benchmark process starts, so it is other processes' load alone.
  const busy = loadBefore[0]! >= Math.max(1, cpus / 2);
  lines.push(
    '',
    `Load average (1, 5, 15 min) before the run, with none of its processes started: ${loadBefore.map(f2).join(', ')}; after: ${loadAfter.map(f2).join(', ')}; ${cpus} CPUs. ` +
      (busy
        ? 'Other processes (other agents building and testing in the same machine) competed for the CPUs during this run, so absolute req/s and latencies are low and noisy; the side-by-side ratios and the CPU time per request are the figures to read.'
        : 'The machine was otherwise quiet during this run.'),
  );

  const failed = outcomes.filter((o) => o.error);
  for (const o of failed)
    lines.push('', `**${o.label} could not be measured:**`, '', '```', o.error!.slice(0, 3000), '```');
  return lines.join('\n');
}
