import 'reflect-metadata';
import { createLogger, exitOnBootFailure, runUntilSignal } from '../../../lib/src/index';
import { loadConfig } from './config';
import { createServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.serviceName, config.logLevel);
  const { server, resume } = await createServer(config);
  await runUntilSignal(server, { port: config.port, host: config.host, drainDelaySeconds: config.drainDelaySeconds, otlpEndpoint: config.otlpEndpoint, logger, name: config.serviceName });
  await resume();
}

main().catch(exitOnBootFailure('synthetic'));
