import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, createLogger, exitOnBootFailure, startTracing } from '../../lib/src/core';
import { loadGatewayConfig } from './config';
import { watchSupergraphFile } from './reload';
import { createGateway } from './server';

/** One gateway process: serve, hot-reload the supergraph file, drain on SIGTERM. */
async function serve() {
  const config = loadGatewayConfig(process.env);
  const logger = createLogger('gateway', config.logLevel);
  const tracing = config.otlpEndpoint
    ? startTracing({ serviceName: 'gateway', endpoint: config.otlpEndpoint })
    : undefined;
  const supergraphFile = path.resolve(config.supergraphPath);
  if (!fs.existsSync(supergraphFile))
    throw new ConfigError(`AIC_SUPERGRAPH_PATH: no supergraph file at ${supergraphFile}`);
  const supergraphSdl = fs.readFileSync(supergraphFile, 'utf8');
  const gateway = await createGateway(config, { supergraphSdl, logger });
  const unwatch = config.watchSupergraph
    ? watchSupergraphFile(config.supergraphPath, (sdl) => gateway.reload(sdl), { logger })
    : () => undefined;
  const url = await gateway.listen(config.port, config.host);
  // Names what it serves: a forgotten AIC_SUPERGRAPH_PATH shows here as the wrong file and subgraphs.
  logger.info(
    { url: `${url}/graphql`, pid: process.pid, supergraph: supergraphFile, subgraphs: gateway.subgraphs() },
    'gateway ready',
  );
  const shutdown = async () => {
    unwatch();
    gateway.setReady(false);
    await new Promise((r) => setTimeout(r, config.drainDelaySeconds * 1000));
    await gateway.stop();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

/** With AIC_GATEWAY_WORKERS > 1, a primary forks that many workers sharing the port (node:cluster). */
async function main() {
  const config = loadGatewayConfig(process.env);
  if (config.workers <= 1 || !cluster.isPrimary) return serve();
  const logger = createLogger('gateway', config.logLevel);
  let stopping = false;
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code }, 'gateway worker died; starting another');
    cluster.fork();
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    let left = Object.keys(cluster.workers ?? {}).length;
    if (left === 0) process.exit(0);
    cluster.on('exit', () => --left <= 0 && process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// One line on stderr, secrets scrubbed, exit 1: as every service (a bad setting's value may be a URL with a password).
main().catch(exitOnBootFailure('gateway'));
