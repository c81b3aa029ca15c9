import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph, createLogger } from '../../lib/src/index';
import { loadGatewayConfig } from '../../gateway/src/config';
import type { Gateway } from '../../gateway/src/server';
import { createGateway } from '../../gateway/src/server';
import { BENCHMARK_BODY, checkBenchmarkAnswer } from './benchmark-query';
import { BENCHMARK_SUBGRAPHS, buildBenchmarkSubgraph } from './benchmark-subgraphs';
import type { RunningSubgraph } from './subgraph-http.server';
import { startSubgraphServer } from './subgraph-http.server';

// Shared subgraph answers on the benchmark's plan (entity fetches, @requires, @provides, answers
// merged in place at many paths): concurrent clients must each still get the whole, right answer.
describe('subgraph request deduplication on the benchmark query', () => {
  const subgraphs: RunningSubgraph[] = [];
  let gateway: Gateway;
  let base: string;

  beforeAll(async () => {
    for (const name of BENCHMARK_SUBGRAPHS) subgraphs.push(await startSubgraphServer(buildBenchmarkSubgraph(name).schema, 0));
    const supergraphSdl = composeSupergraph(BENCHMARK_SUBGRAPHS.map((name, i) => ({ name, url: subgraphs[i].url, sdl: buildBenchmarkSubgraph(name).sdl })));
    const config = { ...loadGatewayConfig({ NODE_ENV: 'production', AIC_GATEWAY_VERIFY_TOKENS: 'false', AIC_RATE_LIMIT_PER_IP: '0', AIC_RATE_LIMIT_PER_USER: '0' }), watchSupergraph: false };
    gateway = await createGateway(config, { supergraphSdl, logger: createLogger('gateway', 'silent') });
    base = await gateway.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(subgraphs.map((s) => s.stop()));
  });

  it('answers every concurrent client in full, identical to a lone answer', async () => {
    const post = async () => (await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BENCHMARK_BODY })).text();
    const alone = await post();
    expect(checkBenchmarkAnswer(JSON.parse(alone))).toEqual([]);
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(Array.from({ length: 30 }, post));
      for (const a of answers) expect(a).toBe(alone);
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const shared = [...metrics.matchAll(/^gateway_subgraph_deduplicated_total\{[^}]*\} (\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0);
    expect(shared).toBeGreaterThan(0);
  });
});
