import 'reflect-metadata';
import { createLogger, exitOnBootFailure, runUntilSignal } from '../../../lib/src/index';
import { loadConfig, SERVICE_NAME } from './config';
import { createServer } from './server';
import { firstRunBanner } from './bootstrap/first-run.banner';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(SERVICE_NAME, config.logLevel);
  const { server, firstRun } = await createServer(config, { logger });
  // Straight to stdout, not the JSON log: the credentials are for the person at the console, once.
  if (firstRun) process.stdout.write(firstRunBanner(firstRun));
  await runUntilSignal(server, { port: config.port, host: config.host, drainDelaySeconds: config.drainDelaySeconds, otlpEndpoint: config.otlpEndpoint, logger, name: SERVICE_NAME });
}

main().catch(exitOnBootFailure(SERVICE_NAME));
