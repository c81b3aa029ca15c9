import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph, createLogger } from '../lib/src/index';
import { loadGatewayConfig } from '../gateway/src/config';
import type { Gateway } from '../gateway/src/server';
import { createGateway } from '../gateway/src/server';
import { BENCHMARK_BODY, checkBenchmarkAnswer, distinctRequest } from './gateway/benchmark-query';
import type { BenchmarkData } from './gateway/benchmark-query';
import { BENCHMARK_SUBGRAPHS, buildBenchmarkSubgraph } from './gateway/benchmark-subgraphs';
import type { RunningSubgraph } from './gateway/subgraph-http.server';
import { startSubgraphServer } from './gateway/subgraph-http.server';
import { judgeGateway, judgeInference, judgeLineage, judgeSynthetic } from './bench-judges';
import { chartsOf } from './bench-charts';
import { renderBarChart } from './svg-chart';
import type { CellResult } from '../subgraphs/inference/bench/bench.stats';
import { toMarkdown } from '../subgraphs/inference/bench/bench.stats';

/**
 * A strict XML well-formedness check for the charts (no dependency): one root element, every tag
 * closed in order, attributes quoted, only the five XML entities, no stray `<` or `&`.
 * @returns the problems found (empty when well-formed)
 */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(?:lt|gt|amp|quot|apos);)/g;
  for (const m of xml.matchAll(token)) {
    if (!m[2]) {
      problems.push(`stray ${m[0]} at ${m.index}`);
      continue;
    }
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      if (stack.pop() !== name) problems.push(`</${name}> closes the wrong element at ${m.index}`);
    } else {
      if (!stack.length) roots += 1;
      if (!selfClosing) stack.push(name);
    }
  }
  if (stack.length) problems.push(`unclosed ${stack.join(', ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

// The gateway benchmark must keep measuring a correct federated answer: its four subgraphs compose
// and our gateway, configured as the benchmark starts it, answers the heavy query with the right data.
describe('gateway benchmark setup', () => {
  const subgraphs: RunningSubgraph[] = [];
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    for (const name of BENCHMARK_SUBGRAPHS)
      subgraphs.push(await startSubgraphServer(buildBenchmarkSubgraph(name).schema, 0));
    const supergraphSdl = composeSupergraph(
      BENCHMARK_SUBGRAPHS.map((name, i) => ({ name, url: subgraphs[i]!.url, sdl: buildBenchmarkSubgraph(name).sdl })),
    );
    const config = {
      ...loadGatewayConfig({
        NODE_ENV: 'production',
        AIC_GATEWAY_VERIFY_TOKENS: 'false',
        AIC_RATE_LIMIT_PER_IP: '0',
        AIC_RATE_LIMIT_PER_USER: '0',
      }),
      watchSupergraph: false,
    };
    gateway = await createGateway(config, { supergraphSdl, logger: createLogger('gateway', 'silent') });
    url = `${await gateway.listen(0, '127.0.0.1')}/graphql`;
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(subgraphs.map((s) => s.stop()));
  });

  it('answers the benchmark query with data from all four subgraphs, twice the same', async () => {
    const post = async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BENCHMARK_BODY,
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { data?: BenchmarkData; errors?: unknown[] };
    };
    const first = await post();
    expect(checkBenchmarkAnswer(first)).toEqual([]);
    expect(first.data!.users[0]!.reviews![0]!.product!.shippingEstimate).toBe(50); // price 899, weight 100 through @requires
    expect(first.data!.topProducts[1]!.reviews!.map((r) => r.author!.username)).toEqual([
      'urigo',
      'urigo',
      'urigo',
      'urigo',
    ]); // @provides
    // The second answer comes from the subgraphs' memoized responses: it must not differ.
    expect(await post()).toEqual(first);
  });

  // Shared subgraph answers on the benchmark's plan (entity fetches, @requires, @provides, answers
  // merged in place at many paths): concurrent clients must each still get the whole, right answer.
  // Each client's request differs in an extension (so each executes: no inbound deduplication), the
  // subgraph fetches do not.
  it('answers every concurrent client in full, identical to a lone answer, while sharing subgraph calls', async () => {
    const post = async (_?: unknown, i = 0) =>
      (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...(JSON.parse(BENCHMARK_BODY) as object), extensions: { client: i } }),
        })
      ).text();
    const alone = await post();
    expect(checkBenchmarkAnswer(JSON.parse(alone))).toEqual([]);
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(Array.from({ length: 30 }, post));
      for (const a of answers) expect(a).toBe(alone);
    }
    const metrics = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
    const shared = [...metrics.matchAll(/^gateway_subgraph_deduplicated_total\{[^}]*\} (\d+)/gm)].reduce(
      (s, m) => s + Number(m[1]),
      0,
    );
    expect(shared).toBeGreaterThan(0);
  });

  // The "distinct requests" scenario: every request differs (variables, user) and is answered in full.
  it('answers the distinct-requests scenario in full, all nine top products', async () => {
    const answers = await Promise.all(
      [0, 1, 2].map(async (n) => {
        const { body, headers } = distinctRequest(n);
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
        return (await res.json()) as { data?: BenchmarkData; errors?: unknown[] };
      }),
    );
    for (const a of answers) {
      expect(a.errors).toBeUndefined();
      expect(a.data!.topProducts).toHaveLength(9);
      expect(a.data!.users).toEqual(answers[0]!.data!.users);
    }
  });

  // Identical concurrent requests share one execution (AIC_GATEWAY_INBOUND_DEDUP, on as the benchmark runs it).
  it('answers identical concurrent clients in full from shared executions', async () => {
    const post = async () =>
      (
        await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BENCHMARK_BODY })
      ).text();
    const alone = await post();
    const answers = await Promise.all(Array.from({ length: 30 }, post));
    for (const a of answers) expect(a).toBe(alone);
    const metrics = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
    expect(Number(/^gateway_inbound_deduplicated_total(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it('finds a wrong answer wrong', () => {
    expect(checkBenchmarkAnswer({ data: { users: [], topProducts: [] } })).not.toEqual([]);
    expect(checkBenchmarkAnswer({ errors: [{ message: 'boom' }] })).toContain('no data');
  });
});

describe('benchmark charts', () => {
  const widths = (svg: string) =>
    [...svg.matchAll(/<rect class="bar"[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1]));

  it('writes a well-formed SVG whose bars are proportional to the values', () => {
    const svg = renderBarChart({
      title: 'req/s <ours> & "theirs"',
      unit: 'req/s',
      better: 'higher',
      bars: [
        { label: 'ours (1 process)', value: 300 },
        { label: 'Hive Gateway', value: 150 },
        { label: 'bare @apollo/gateway & server', value: 75 },
        { label: 'failed', value: Number.NaN },
      ],
    });
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('req/s &lt;ours&gt; &amp; &quot;theirs&quot;');
    const [a, b, c, d] = widths(svg);
    expect(a).toBeGreaterThan(0);
    expect(b! / a!).toBeCloseTo(0.5, 3);
    expect(c! / a!).toBeCloseTo(0.25, 3);
    expect(d).toBe(0); // no number, no bar
    // The check itself finds broken markup.
    expect(xmlProblems('<svg><rect></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg><text>a & b</text></svg>')).not.toEqual([]);
  });

  it('charts throughput and latency per target and per scenario from a benchmark table', () => {
    const output = [
      '| gateway | processes | req/s | p50 ms | p99 ms |',
      '|---|---:|---:|---:|---:|',
      '| ours | 1 | 200 | 10 | 30 |',
      '| hive | 1 | 100 | 20 | 50 |',
      '| ours, distinct requests | 1 | 80 | 40 | 90 |',
      '| hive, distinct requests | 1 | 20 | 160 | 300 |',
      '',
      '| gateway | round | req/s | p50 ms |',
      '|---|---:|---:|---:|',
      '| ours | 1 | 190 | 10 |',
      '| ours | 2 | 210 | 10 |',
    ].join('\n');
    const charts = chartsOf('gateway', 'Gateway', output);
    expect(charts.map((c) => c.chart.title)).toEqual([
      'Gateway, identical requests: req/s',
      'Gateway, identical requests: p50 ms',
      'Gateway, distinct requests: req/s',
      'Gateway, distinct requests: p50 ms',
    ]);
    expect(new Set(charts.map((c) => c.file)).size).toBe(4);
    expect(charts[2]!.chart.bars).toEqual([
      { label: 'ours', value: 80 },
      { label: 'hive', value: 20 },
    ]);
    expect(charts[3]!.chart.better).toBe('lower');
    expect(widths(renderBarChart(charts[3]!.chart))[0]! * 4).toBeCloseTo(
      widths(renderBarChart(charts[3]!.chart))[1]!,
      3,
    );
  });
});

describe('benchmark verdicts', () => {
  it('reads targets back from benchmark tables', () => {
    const lineage =
      '| database | direction | p50 ms | p95 ms |\n|---|---|---:|---:|\n| sqlite | upstream | 3.1 | 12.5 |\n| postgresql | downstream | 40 | 140.2 |';
    expect(judgeLineage(lineage)).toEqual([expect.objectContaining({ met: false, measured: 'slowest p95 140.20 ms' })]);
    const synthetic =
      '| synthesizer | fit (s) | generated rows/s |\n|---|---:|---:|\n| GaussianCopula | 1.2 | 250,000 |';
    expect(judgeSynthetic(synthetic)[0]!.met).toBe(true);
    expect(judgeSynthetic(synthetic)[1]).toMatchObject({ met: undefined, measured: 'no whole-job row in the output' });
    const job =
      '| job | rows | whole job (s) | whole job rows/s |\n|---|---:|---:|---:|\n| fit, generate, score, register | 100,000 | 2.50 | 40,000 |';
    expect(judgeSynthetic(`${synthetic}\n\n${job}`)[1]).toMatchObject({
      met: false,
      measured: '40,000 rows/s over 100,000 rows',
    });
    const gateway =
      '| comparison | throughput ratio | CPU-per-request ratio (theirs ÷ ours) | goal | met (throughput) |\n|---|---:|---:|---:|---|\n| ours vs bare | 1.10× | 1.20× | ≥ 3× | no |';
    expect(judgeGateway(gateway)).toEqual([expect.objectContaining({ met: false })]);
  });

  it('judges the MB-sized image model on share of raw throughput and CPU per MB at concurrency 8', () => {
    const table = [
      '### Conv net (3×320×320)',
      '',
      "| scenario | concurrency | calls/s | rows/s | vs raw | p50 ms | service + gateway CPU ms / call | model run CPU ms / call | service + gateway CPU ms / MB beyond the model's run |",
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      '| raw session.run | 1 | 40 | 40 | 100% | 25 | – | 30.1 | – |',
      '| raw session.run | 8 | 50 | 50 | 100% | 160 | – | 30.0 | – |',
      '| gateway predict rawData, batching off | 8 | 30 | 30 | 60% | 250 | 37.2 | – | 6.00 |',
      '| gateway predict rawData, batching on | 8 | 42 | 42 | 84% | 190 | 33.0 | – | 2.50 |',
      '| gateway OIP REST binary, batching on | 8 | 44 | 44 | 88% | 180 | 31.2 | – | 1.00 |',
    ].join('\n');
    const verdicts = judgeInference(table);
    expect(verdicts.slice(-3)).toEqual([
      expect.objectContaining({ met: true, measured: '84% (gateway predict rawData, batching on)' }),
      expect.objectContaining({ met: true, measured: '2.50 ms/MB (gateway predict rawData, batching on)' }),
      expect.objectContaining({ met: false, measured: '88% (gateway OIP REST binary, batching on)' }),
    ]);
  });

  it("reports the servers' CPU per MB beyond the model's own run, as the judge reads it", () => {
    const cell = (scenario: string, concurrency: number, calls: number, cpu: Partial<CellResult>): CellResult => ({
      scenario,
      concurrency,
      calls,
      rowsPerCall: 1,
      seconds: 1,
      errors: 0,
      p50: 10,
      p95: 20,
      p99: 30,
      ...cpu,
    });
    const mb = 2 ** 20;
    const table = toMarkdown(
      'Conv net',
      [
        cell('raw session.run', 8, 50, { ownCpuMs: 30 }),
        cell('gateway predict rawData, batching off', 8, 45, { serverCpuMs: 36 }),
        cell('gateway OIP REST binary, batching off', 8, 46, { serverCpuMs: 31 }),
      ],
      2 * mb,
    );
    // (36 - 30) ms over 2 MB and (31 - 30) over 2 MB; the model's own 30 ms on the raw row.
    expect(table).toContain('| raw session.run | 8 | 50 | 50 | 100% | 10.00 | 20.00 | 30.00 | 0 | – | 30.00 | – |');
    expect(table).toContain('| 36.00 | – | 3.00 |');
    expect(table).toContain('| 31.00 | – | 0.50 |');
    expect(judgeInference(table).slice(-3)).toEqual([
      expect.objectContaining({ met: true, measured: '90% (gateway predict rawData, batching off)' }),
      expect.objectContaining({ met: true, measured: '3.00 ms/MB (gateway predict rawData, batching off)' }),
      expect.objectContaining({ met: true, measured: '92% (gateway OIP REST binary, batching off)' }),
    ]);
  });

  it('judges inference like with like and names the rows it read', () => {
    const table = (title: string, rows: [string, number, number, number][]) =>
      [
        `### ${title}`,
        '',
        '| scenario | concurrency | rows/s | p50 ms |',
        '|---|---:|---:|---:|',
        ...rows.map((r) => `| ${r.join(' | ')} |`),
      ].join('\n');
    const small = table('small', [
      ['raw session.run', 1, 3000, 0.3],
      ['gateway predict JSON, batching off', 1, 200, 3.1],
      ['gateway predict rawData, batching off', 1, 300, 2.1],
      ['gateway predict JSON, batching off', 64, 500, 100],
      ['gateway predict JSON, batching on', 64, 1000, 50],
    ]);
    const heavy = table('heavy', [
      ['raw session.run', 1, 160, 6],
      ['raw session.run', 16, 200, 80],
      ['gateway predict JSON, batching off', 16, 120, 130],
      ['gateway predict JSON, batching on', 16, 400, 40],
      ['gateway predict rawData, batching off', 64, 100, 600],
      ['gateway predict rawData, batching on', 64, 350, 180],
    ]);
    const [share, latency, batching] = judgeInference(`${small}\n\n${heavy}`);
    expect(share).toMatchObject({
      met: true,
      measured: '200% (gateway predict JSON, batching on); without batching 60% (gateway predict JSON, batching off)',
    });
    expect(latency).toMatchObject({
      met: true,
      measured: '+2.80 ms (JSON), +1.80 ms (rawData) over raw session.run, batching off',
    });
    expect(batching).toMatchObject({ met: true, measured: '3.50× (heavy, rawData), 2.00× (small, JSON)' });
  });
});
