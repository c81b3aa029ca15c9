import 'reflect-metadata';
import { runSubgraph } from '../../../lib/src/kit/boot';
import { loadConfig } from './config';
import { SYNTHETIC_DATABASE, createServer } from './server';

void runSubgraph({
  name: 'synthetic',
  loadConfig,
  database: SYNTHETIC_DATABASE,
  build: (config, kit) => createServer(config, { kit }),
});
