import 'reflect-metadata';
import { runSubgraph } from '../../../lib/src/kit/boot';
import { loadConfig } from './config';
import { createServer } from './server';

void runSubgraph({ name: 'synthetic', loadConfig, build: (config, kit) => createServer(config, kit) });
