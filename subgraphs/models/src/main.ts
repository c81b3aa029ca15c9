import 'reflect-metadata';
import { runSubgraph } from '../../../lib/src/kit/boot';
import { loadConfig } from './config';
import { createServer } from './server';

void runSubgraph({ name: 'models', loadConfig, build: (config, kit) => createServer(config, kit) });
