import 'reflect-metadata';
import { runSubgraphWorker } from '../../../lib/src/kit/boot';
import { loadConfig, SERVICE_NAME } from './config';
import { CATALOG_DATABASE, createServer } from './server';

// Profiling jobs without serving GraphQL (deploy as catalog-worker; the API then runs with AIC_JOBS_CONSUME=false).
void runSubgraphWorker({
  name: SERVICE_NAME,
  loadConfig,
  database: CATALOG_DATABASE,
  build: (config, kit) => createServer(config, { kit }),
});
