import 'reflect-metadata';
import { runSubgraph } from '../../../lib/src/kit/boot';
import { loadConfig } from './config';
import { createServer, createSessionManager } from './server';

// Inference resumes batch jobs itself once its server listens (after warming up the endpoints).
void runSubgraph({
  name: 'inference',
  loadConfig,
  build: (config, { logger }) => createServer(config, { sessions: createSessionManager(config, logger) }),
});
