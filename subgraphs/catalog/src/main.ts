import 'reflect-metadata';
import { runSubgraph } from '../../../lib/src/kit/boot';
import { loadConfig, SERVICE_NAME } from './config';
import { CATALOG_DATABASE, createServer } from './server';

void runSubgraph({
  name: SERVICE_NAME,
  loadConfig,
  database: CATALOG_DATABASE,
  build: (config, kit) => createServer(config, { kit }),
});
