// The baseline: `@apollo/gateway` under `@apollo/server`'s standalone server, nothing else, as the
// public benchmark runs it. `node --import tsx bench/gateway/bare-apollo.main.ts <supergraph file> <port> [http]`;
// with `http`, subgraph calls go through our gateway's node:http keep-alive client (a diagnostic variant).
import fs from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createSubgraphFetcher } from '../../gateway/src/execution/http-fetcher';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

async function main(): Promise<void> {
  const [supergraphPath, port, variant] = process.argv.slice(2);
  if (supergraphPath === undefined) throw new Error('usage: bare-apollo.main SUPERGRAPH_PATH [PORT] [http]');
  const fetcher = variant === 'http' ? (createSubgraphFetcher({ timeoutMs: 30_000 }) as unknown as Fetcher) : undefined;
  const gateway = new ApolloGateway({
    supergraphSdl: fs.readFileSync(supergraphPath, 'utf8'),
    ...(fetcher ? { buildService: ({ url }) => new RemoteGraphQLDataSource({ url, fetcher }) } : {}),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } });
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
