// Issue #18: a fresh clone with nothing but Node passes `npm test`. Tests reach PostgreSQL and Redis
// only through lib/src/testing/postgres.ts and redis.ts (so AIC_TEST_POSTGRES_URL / AIC_TEST_REDIS_URL and
// the embedded PostgreSQL apply everywhere), and every test needing Redis skips with one line saying why
// when none answers.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

/** Test sources (tests, their support files and fixtures' code). */
function testSources(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return out
    .split('\0')
    .filter((f) => /\.(ts|mts)$/.test(f) && fs.existsSync(path.join(root, f)))
    .filter((f) => /(^|\/)test\//.test(f) || /\.(test|e2e)\.ts$/.test(f))
    .filter((f) => !f.startsWith('test/fixtures/') && f !== path.relative(root, __filename));
}

/** A URL on a port where nothing listens. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('test servers', () => {
  it('no test names the PostgreSQL or Redis test server itself: they all go through lib/src/testing', () => {
    const files = testSources();
    expect(files.length).toBeGreaterThan(100);
    const offenders: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(root, f), 'utf8');
      for (const m of text.matchAll(/(?:localhost|127\.0\.0\.1):(?:5432|6379)\b|port:\s*(?:5432|6379)\b/g))
        offenders.push(`${f}: ${m[0]}`);
      // A test that connects to Redis must be able to skip: it imports the shared helper.
      if (/redisUrl\s*:|REDIS_URL\b|new Redis\(|from 'bullmq'/.test(text) && /redis:\/\//.test(text))
        offenders.push(`${f}: a redis:// URL outside lib/src/testing/redis.ts`);
    }
    expect(offenders).toEqual([]);
  });

  it('with no Redis answering, a Redis test file skips those tests with one line and runs the rest', async () => {
    const port = await deadPort();
    const run = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'lib/test/leader.test.ts'],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, AIC_TEST_REDIS_URL: `redis://127.0.0.1:${port}`, NO_COLOR: '1', FORCE_COLOR: '0' },
        timeout: 120_000,
      },
    );
    const out = run.stdout + run.stderr;
    expect(run.status, out).toBe(0);
    const lines = out.split('\n').filter((l) => l.includes('does not answer'));
    expect(lines).toEqual([
      `Redis at 127.0.0.1:${port} (AIC_TEST_REDIS_URL) does not answer: the leader-lease tests on Redis are skipped`,
    ]);
    expect(out).toMatch(/1 passed \| 3 skipped/);
  }, 150_000);
});
