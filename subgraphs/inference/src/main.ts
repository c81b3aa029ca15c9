import 'reflect-metadata';
import { createLogger, exitOnBootFailure, runUntilSignal } from '../../../lib/src/index';
import { loadConfig } from './config';
import { createServer, createSessionManager } from './server';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger('inference', config.logLevel);
  const sessions = createSessionManager(config, logger);
  const { server } = await createServer(config, { sessions });
  await runUntilSignal(server, { port: config.port, host: config.host, drainDelaySeconds: config.drainDelaySeconds, otlpEndpoint: config.otlpEndpoint, logger, name: 'inference' });
}

main().catch(exitOnBootFailure('inference'));
