import fs from 'node:fs';
import { createLogger } from '../../lib/src/index';
import { loadGatewayConfig } from './config';
import { createGateway } from './server';

async function main() {
  const config = loadGatewayConfig(process.env);
  const logger = createLogger('gateway', config.logLevel);
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  const gateway = await createGateway(config, { supergraphSdl, logger });
  const url = await gateway.listen(config.port, config.host);
  logger.info({ url: `${url}/graphql` }, 'gateway ready');
  const shutdown = async () => {
    gateway.setReady(false);
    await new Promise((r) => setTimeout(r, config.drainDelaySeconds * 1000));
    await gateway.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
