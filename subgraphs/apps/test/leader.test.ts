// Two apps replicas on one PostgreSQL database and one Redis: only the elected leader runs the
// monitor's scheduled rounds (health checks and autoscaler steps); when it stops, the other takes over.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testBaseConfig } from '../../../lib/src/testing/harness';
import { testPostgresDatabase } from '../../../lib/src/testing/postgres';
import { skipWithoutRedis, TEST_REDIS } from '../../../lib/src/testing/redis';
import type { Config } from '../src/config';
import type { AppsServer } from '../src/server';
import { createServer } from '../src/server';

const REDIS_URL = TEST_REDIS;
const pg = testPostgresDatabase('aic_apps_leader');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-apps-leader-'));
const servers: AppsServer[] = [];

afterAll(async () => {
  for (const built of servers) await built.server.stop().catch(() => undefined);
  await pg.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function replica(): Promise<AppsServer> {
  const config: Config = {
    // A service secret turns the schedule on; identity is never asked (no deployments to check).
    ...testBaseConfig('apps', {
      dataDir,
      databaseUrl: pg.url,
      redisUrl: REDIS_URL,
      identityUrl: 'http://127.0.0.1:9',
      serviceSecret: 'leader-test-secret',
    }),
    inferenceUrl: 'http://127.0.0.1:9',
    schemasUrl: 'http://127.0.0.1:9',
    catalogUrl: 'http://127.0.0.1:9',
    monitorIntervalSeconds: 0.05,
    rolloutWaitSeconds: 60,
    kubernetes: { namespace: 'aic-apps-test', inferenceImage: 'ghcr.io/aic-platform/inference:test' },
  };
  const built = await createServer(config);
  servers.push(built);
  return built;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(skipWithoutRedis('the apps monitor leader test is'))('apps monitor across replicas', () => {
  it('runs its scheduled rounds on the leader only, and on the other replica once the leader stops', async () => {
    const a = await replica();
    const b = await replica();
    const rounds = (): [number, number] => [a.services.monitor.roundsRun, b.services.monitor.roundsRun];
    await until(() => rounds()[0] + rounds()[1] >= 20, 20_000);
    const [ra, rb] = rounds();
    expect(Math.min(ra, rb)).toBe(0);
    const [leader, follower] = ra > 0 ? [a, b] : [b, a];
    await leader.server.stop();
    const before = follower.services.monitor.roundsRun;
    await until(() => follower.services.monitor.roundsRun >= before + 10, 20_000);
  });
});
