// Replicas of identity booting at the same moment on one empty database (a first deploy with
// replicas: 3): the first run (owner, organization, first signing key) happens once, every replica
// comes up, and the owner signs in through any of them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testPostgresDatabase } from '../../../lib/src/testing/postgres';
import type { TestIdentity } from './support/test-server';
import { startIdentity } from './support/test-server';

const REPLICAS = 3;

describe.each([
  { label: 'postgresql', url: () => testPostgresDatabase('aic_identity_first_run') },
  {
    label: 'one sqlite file',
    url: () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-identity-first-run-'));
      return {
        url: path.join(dir, 'identity.sqlite'),
        drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
])('identity replicas booting at once on an empty database ($label)', ({ url }) => {
  const db = url();
  const replicas: TestIdentity[] = [];
  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await db.drop();
  });

  it('all come up with one owner, one organization and one signing key', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-identity-first-run-data-'));
    const started = await Promise.allSettled(
      Array.from({ length: REPLICAS }, () =>
        startIdentity({
          databaseUrl: db.url,
          dataDir,
          env: { AIC_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') },
        }),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') replicas.push(s.value);
    expect(
      started.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason)),
    ).toEqual([]);
    const em = replicas[0]!.identity.orm.em.fork();
    const conn = em.getConnection();
    const count = async (table: string) => Number((await conn.execute(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
    expect(await count('users')).toBe(1);
    expect(await count('organizations')).toBe(1);
    expect(await count('signing_keys')).toBe(1);
    // One at a time: parallel attempts on one account are refused by design (only one may race the lockout).
    const sessions = [];
    for (const r of replicas) sessions.push(await r.login());
    expect(new Set(sessions.map((s) => s.user.id)).size).toBe(1);
  });
});
