// One benchmark subgraph in its own process: `node --import tsx bench/gateway/subgraph.main.ts <name> [port]`.
// Prints one JSON line `{"name","url"}` when it listens; stops on SIGTERM.
import type { BenchmarkSubgraphName } from './benchmark-subgraphs';
import { BENCHMARK_SUBGRAPHS, buildBenchmarkSubgraph } from './benchmark-subgraphs';
import { startSubgraphServer } from './subgraph-http.server';

async function main(): Promise<void> {
  const name = process.argv[2] as BenchmarkSubgraphName;
  if (!BENCHMARK_SUBGRAPHS.includes(name))
    throw new Error(`Unknown subgraph "${name}"; one of ${BENCHMARK_SUBGRAPHS.join(', ')}`);
  const running = await startSubgraphServer(buildBenchmarkSubgraph(name).schema, Number(process.argv[3] ?? 0));
  process.stdout.write(`${JSON.stringify({ name, url: running.url })}\n`);
  process.once('SIGTERM', () => void running.stop().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
