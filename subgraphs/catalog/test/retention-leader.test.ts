// Two catalog replicas on one PostgreSQL database and one Redis: only the elected leader makes the
// scheduled retention runs; when it stops, the other replica takes over.
import { afterAll, describe, expect, it } from 'vitest';
import { testPostgresDatabase } from '../../../lib/src/testing/postgres';
import { skipWithoutRedis, TEST_REDIS } from '../../../lib/src/testing/redis';
import type { CatalogHarness } from './catalog.harness';
import { startCatalog } from './catalog.harness';

const REDIS_URL = TEST_REDIS;
const pg = testPostgresDatabase('aic_catalog_leader');
const replicas: CatalogHarness[] = [];

afterAll(async () => {
  for (const r of replicas) await r.stop().catch(() => undefined);
  await pg.drop();
});

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(skipWithoutRedis('the retention leader test is'))('catalog retention across replicas', () => {
  it('runs on the leader only, and on the other replica once the leader stops', async () => {
    const a = await startCatalog({ databaseUrl: pg.url, redisUrl: REDIS_URL, retentionIntervalSeconds: 0.05 });
    replicas.push(a);
    const b = await startCatalog({ databaseUrl: pg.url, redisUrl: REDIS_URL, retentionIntervalSeconds: 0.05 });
    replicas.push(b);
    const runs = () => [a.built.retention.runsMade, b.built.retention.runsMade];
    await until(() => runs()[0]! + runs()[1]! >= 20, 20_000);
    expect(Math.min(...runs())).toBe(0);
    const [leader, follower] = runs()[0]! > 0 ? [a, b] : [b, a];
    await leader.stop();
    replicas.splice(replicas.indexOf(leader), 1);
    const before = follower.built.retention.runsMade;
    await until(() => follower.built.retention.runsMade >= before + 10, 20_000);
  });
});
