import 'reflect-metadata';
import { runSubgraph } from '../../../lib/src/kit/boot';
import { loadConfig, SERVICE_NAME } from './config';
import { createServer } from './server';

void runSubgraph({ name: SERVICE_NAME, loadConfig, build: (config, kit) => createServer(config, kit) });
