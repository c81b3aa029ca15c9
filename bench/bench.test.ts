import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph, createLogger } from '../lib/src/index';
import { loadGatewayConfig } from '../gateway/src/config';
import type { Gateway } from '../gateway/src/server';
import { createGateway } from '../gateway/src/server';
import { BENCHMARK_BODY, checkBenchmarkAnswer } from './gateway/benchmark-query';
import type { BenchmarkData } from './gateway/benchmark-query';
import { BENCHMARK_SUBGRAPHS, buildBenchmarkSubgraph } from './gateway/benchmark-subgraphs';
import type { RunningSubgraph } from './gateway/subgraph-http.server';
import { startSubgraphServer } from './gateway/subgraph-http.server';
import { judgeGateway, judgeLineage, judgeSynthetic } from './bench-judges';

// The gateway benchmark must keep measuring a correct federated answer: its four subgraphs compose
// and our gateway, configured as the benchmark starts it, answers the heavy query with the right data.
describe('gateway benchmark setup', () => {
  const subgraphs: RunningSubgraph[] = [];
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    for (const name of BENCHMARK_SUBGRAPHS) subgraphs.push(await startSubgraphServer(buildBenchmarkSubgraph(name).schema, 0));
    const supergraphSdl = composeSupergraph(BENCHMARK_SUBGRAPHS.map((name, i) => ({ name, url: subgraphs[i].url, sdl: buildBenchmarkSubgraph(name).sdl })));
    const config = {
      ...loadGatewayConfig({ NODE_ENV: 'production', AIC_GATEWAY_VERIFY_TOKENS: 'false', AIC_RATE_LIMIT_PER_IP: '0', AIC_RATE_LIMIT_PER_USER: '0' }),
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
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BENCHMARK_BODY });
      expect(res.status).toBe(200);
      return (await res.json()) as { data?: BenchmarkData; errors?: unknown[] };
    };
    const first = await post();
    expect(checkBenchmarkAnswer(first)).toEqual([]);
    expect(first.data!.users[0].reviews![0].product!.shippingEstimate).toBe(50); // price 899, weight 100 through @requires
    expect(first.data!.topProducts[1].reviews!.map((r) => r.author!.username)).toEqual(['urigo', 'urigo', 'urigo', 'urigo']); // @provides
    // The second answer comes from the subgraphs' memoized responses: it must not differ.
    expect(await post()).toEqual(first);
  });

  it('finds a wrong answer wrong', () => {
    expect(checkBenchmarkAnswer({ data: { users: [], topProducts: [] } })).not.toEqual([]);
    expect(checkBenchmarkAnswer({ errors: [{ message: 'boom' }] })).toContain('no data');
  });
});

describe('benchmark verdicts', () => {
  it('reads targets back from benchmark tables', () => {
    const lineage = '| database | direction | p50 ms | p95 ms |\n|---|---|---:|---:|\n| sqlite | upstream | 3.1 | 12.5 |\n| postgresql | downstream | 40 | 140.2 |';
    expect(judgeLineage(lineage)).toEqual([expect.objectContaining({ met: false, measured: 'slowest p95 140.20 ms' })]);
    const synthetic = '| synthesizer | fit (s) | generated rows/s |\n|---|---:|---:|\n| GaussianCopula | 1.2 | 250,000 |';
    expect(judgeSynthetic(synthetic)[0].met).toBe(true);
    const gateway = '| comparison | throughput ratio | CPU-per-request ratio (theirs ÷ ours) | goal | met (throughput) |\n|---|---:|---:|---:|---|\n| ours vs bare | 1.10× | 1.20× | ≥ 3× | no |';
    expect(judgeGateway(gateway)).toEqual([expect.objectContaining({ met: false })]);
  });
});
