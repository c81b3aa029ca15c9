import 'reflect-metadata';
import { createLogger, exitOnBootFailure, runUntilSignal } from '../../../lib/src/index';
import { loadConfig, SERVICE_NAME } from './config';
import { createServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const { server } = await createServer(config);
  await runUntilSignal(server, { port: config.port, host: config.host, drainDelaySeconds: config.drainDelaySeconds, otlpEndpoint: config.otlpEndpoint, logger: createLogger(SERVICE_NAME, config.logLevel), name: SERVICE_NAME });
}

main().catch(exitOnBootFailure(SERVICE_NAME));
