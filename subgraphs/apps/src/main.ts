import 'reflect-metadata';
import { runSubgraph } from '../../../lib/src/kit/boot';
import { loadConfig } from './config';
import { APPS_DATABASE, createServer } from './server';

void runSubgraph({
  name: 'apps',
  loadConfig,
  database: APPS_DATABASE,
  build: (config, kit) => createServer(config, { kit }),
});
