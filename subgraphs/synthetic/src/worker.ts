import 'reflect-metadata';
import { runSubgraphWorker } from '../../../lib/src/kit/boot';
import { loadConfig } from './config';
import { SYNTHETIC_DATABASE, createServer } from './server';

// Synthetic data jobs without serving GraphQL (deploy as synthetic-worker; the API then runs with AIC_JOBS_CONSUME=false).
void runSubgraphWorker({
  name: 'synthetic',
  loadConfig,
  database: SYNTHETIC_DATABASE,
  build: (config, kit) => createServer(config, { kit }),
});
