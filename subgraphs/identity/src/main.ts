import 'reflect-metadata';
import { runSubgraph } from '../../../lib/src/kit/boot';
import { loadConfig, SERVICE_NAME } from './config';
import { IDENTITY_DATABASE, createServer } from './server';
import { firstRunBanner } from './bootstrap/first-run.banner';

void runSubgraph({
  name: SERVICE_NAME,
  loadConfig,
  database: IDENTITY_DATABASE,
  build: async (config, kit) => {
    const built = await createServer(config, { kit });
    // Straight to stdout, not the JSON log: the credentials are for the person at the console, once.
    if (built.firstRun) process.stdout.write(firstRunBanner(built.firstRun));
    return built;
  },
});
