import 'reflect-metadata';
import { runSubgraph } from '../../../lib/src/kit/boot';
import { loadConfig } from './config';
import { createServer } from './server';

void runSubgraph({ name: 'apps', loadConfig, build: (config) => createServer(config) });
