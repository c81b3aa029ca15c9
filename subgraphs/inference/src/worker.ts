import 'reflect-metadata';
import { runSubgraphWorker } from '../../../lib/src/kit/boot';
import { loadConfig } from './config';
import { INFERENCE_DATABASE, createServer, createSessionManager } from './server';

// Runs inference's batch jobs without serving GraphQL: `node dist/subgraphs/inference/src/worker.js`.
void runSubgraphWorker({
  name: 'inference',
  loadConfig,
  database: INFERENCE_DATABASE,
  build: (config, kit) => createServer(config, { sessions: createSessionManager(config, kit.logger), kit }),
});
