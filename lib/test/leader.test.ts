import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { Leadership } from '../src/kit/leader';
import { createLeadership } from '../src/kit/leader';
import { skipWithoutRedis, TEST_REDIS } from '../src/testing/redis';

const REDIS_URL = TEST_REDIS;
const noRedis = skipWithoutRedis('the leader-lease tests on Redis are');

/** Waits until `check` holds, polling every 10 ms, failing after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

describe('leader lease on Redis', () => {
  const opened: Leadership[] = [];
  const clients: Redis[] = [];
  const candidate = (name: string, extra: { redis?: Redis } = {}) => {
    const leadership = createLeadership(name, {
      redisUrl: REDIS_URL,
      prefix: 'aic:test:leader:',
      ttlMs: 600,
      renewMs: 100,
      ...extra,
    });
    opened.push(leadership);
    return leadership;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((l) => l.stop()));
    clients.splice(0).forEach((c) => c.disconnect());
  });

  it.skipIf(noRedis)('elects exactly one of two candidates, and never two over many samples', async () => {
    const name = `lease-${randomUUID()}`;
    const a = candidate(name);
    const b = candidate(name);
    await until(() => a.isLeader() || b.isLeader(), 5000);
    let samples = 0;
    const end = Date.now() + 1500;
    while (Date.now() < end) {
      expect(Number(a.isLeader()) + Number(b.isLeader())).toBeLessThanOrEqual(1);
      samples++;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(samples).toBeGreaterThan(50);
    expect(Number(a.isLeader()) + Number(b.isLeader())).toBe(1);
  });

  it.skipIf(noRedis)('hands over on stop: the other candidate leads at its next attempt', async () => {
    const name = `lease-${randomUUID()}`;
    const a = candidate(name);
    await until(() => a.isLeader(), 5000);
    const b = candidate(name);
    await new Promise((r) => setTimeout(r, 300)); // b attempts at least twice while a holds the lease
    expect(b.isLeader()).toBe(false);
    await a.stop();
    expect(a.isLeader()).toBe(false);
    const waited = await until(() => b.isLeader(), 5000);
    expect(waited).toBeLessThan(600); // released, not expired
  });

  it.skipIf(noRedis)(
    'a leader that stops renewing (crash) loses the lease, and the other takes over within the TTL, never overlapping',
    async () => {
      const name = `lease-${randomUUID()}`;
      const crashing = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      clients.push(crashing);
      const a = candidate(name, { redis: crashing });
      await until(() => a.isLeader(), 5000);
      const b = candidate(name);
      await new Promise((r) => setTimeout(r, 250));
      expect(b.isLeader()).toBe(false);
      crashing.disconnect(); // a can no longer renew nor release: the lease must run out in Redis
      const crashedAt = Date.now();
      let overlap = false;
      await until(() => {
        if (a.isLeader() && b.isLeader()) overlap = true;
        return b.isLeader();
      }, 5000);
      expect(overlap).toBe(false);
      expect(a.isLeader()).toBe(false);
      expect(Date.now() - crashedAt).toBeLessThan(600 + 100 + 500); // TTL + one attempt interval + slack for a loaded machine
    },
  );

  it('without Redis the single process is the leader until stopped', async () => {
    const local = createLeadership('local');
    expect(local.isLeader()).toBe(true);
    await local.stop();
    expect(local.isLeader()).toBe(false);
  });
});
