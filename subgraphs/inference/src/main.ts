import 'reflect-metadata';
import { runSubgraph } from '../../../lib/src/kit/boot';
import { loadConfig } from './config';
import { INFERENCE_DATABASE, createServer, createSessionManager } from './server';

// Batch jobs run on the service's job queue: a dead replica's are taken over by the claim sweep of
// any other; `resume` (after listen and the endpoints' warm-up) only enqueues rows from before it.
void runSubgraph({
  name: 'inference',
  loadConfig,
  database: INFERENCE_DATABASE,
  build: (config, kit) => createServer(config, { sessions: createSessionManager(config, kit.logger), kit }),
});
