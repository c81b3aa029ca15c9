import 'reflect-metadata';
import { runSubgraph } from '../../../lib/src/kit/boot';
import { loadConfig } from './config';
import { MODELS_DATABASE, createServer } from './server';

void runSubgraph({
  name: 'models',
  loadConfig,
  database: MODELS_DATABASE,
  build: (config, kit) => createServer(config, { kit }),
});
