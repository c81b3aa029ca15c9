import 'reflect-metadata';
import { runSubgraphWorker } from '../../../lib/src/kit/boot';
import { loadConfig } from './config';
import { MODELS_DATABASE, createServer } from './server';

// The models job worker (`node dist/subgraphs/models/src/worker.js`): runs training jobs, studies and
// pipeline runs from the service's job queue without serving GraphQL; SIGTERM hands running jobs back.
void runSubgraphWorker({
  name: 'models',
  loadConfig,
  database: MODELS_DATABASE,
  build: (config, kit) => createServer(config, { kit }),
});
