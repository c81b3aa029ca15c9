// One replica's boot for test/migrations.test.ts: `createOrm` of <service> on <databaseUrl> in a process of its own.
import os from 'node:os';
import { createOrm } from '../../lib/src/index';
import { MIGRATED_SERVICES } from '../../scripts/migration-services';

async function main(): Promise<void> {
  const [service, databaseUrl] = process.argv.slice(2);
  const { entities, migrations } = MIGRATED_SERVICES[service!]!;
  const orm = await createOrm({ databaseUrl, dataDir: os.tmpdir(), serviceName: service!, entities, migrations });
  await orm.close(true);
  process.stdout.write('booted\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
