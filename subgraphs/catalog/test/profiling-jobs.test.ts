// Profiling as a job of lib/src/jobs (issue #17): two catalog instances on one PostgreSQL database
// profile every version once, and an instance that only serves the API profiles nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/src/index';
import { testPostgresDatabase } from '../../../lib/src/testing/postgres';
import { waitFor } from '../../../lib/src/testing/wait-for';
import { DatasetVersion } from '../src/dataset/dataset-version.entity';
import { Dataset } from '../src/dataset/dataset.entity';
import { profilingJobId } from '../src/dataset/profiling.queue';
import { RetentionSchedule } from '../src/governance/retention.schedule';
import type { CatalogServer } from '../src/server';
import { createServer } from '../src/server';
import type { CatalogHarness } from './catalog.harness';
import { WRITER, createWithContent, startCatalog, uploadVersion } from './catalog.harness';

describe('catalog profiling jobs on one PostgreSQL database', () => {
  const pg = testPostgresDatabase('aic_catalog_profiling');
  let a: CatalogHarness;
  let b: CatalogServer;

  beforeAll(async () => {
    a = await startCatalog({ databaseUrl: pg.url, jobLeaseMs: 5_000, profilingConcurrency: 2 });
    // A second instance: its own ORM, queue and pub/sub on the same database and content store.
    b = await createServer({ ...a.config, port: 0 }, { kit: { consume: true } });
  });

  afterAll(async () => {
    await b?.server.stop();
    await a?.stop();
    await pg.drop();
  });

  it('profiles every version exactly once across two instances', async () => {
    const token = await a.token({ org: 'org-pj', perms: WRITER });
    const made = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        createWithContent(
          a,
          token,
          { name: `twice-${n}`, format: 'CSV' },
          `k,v\n${Array.from({ length: 20 * n }, (_, i) => `r${i},${i * n}`).join('\n')}\n`,
        ),
      ),
    );
    const second = await uploadVersion(a, token, made[0]!.id, 'k,v\nx,1\ny,2\n', 'text/csv');
    const versions = [...made.map((m) => m.version), second];
    expect(versions.map((v) => v.rowCount)).toEqual([20, 40, 60, 80, 100, 2]);
    for (const v of versions) {
      // One claim per version, claimed once and finished: no second run, no takeover.
      // The claim ends just after the handler's fenced write made the version READY.
      await waitFor(
        async () => (await a.built.jobs.status(profilingJobId(v.id)))?.state === 'done',
        'the claim to end',
      );
      expect(await a.built.jobs.status(profilingJobId(v.id))).toMatchObject({ state: 'done', attempts: 1 });
      expect(await b.jobs.status(profilingJobId(v.id))).toMatchObject({ state: 'done', attempts: 1 });
    }
    const rows = await a.built.orm.em.fork().find(DatasetVersion, { id: { $in: versions.map((v) => v.id) } });
    expect(rows.map((r) => r.status)).toEqual(versions.map(() => 'READY'));
  });

  it('leaves profiling to consuming instances: an API-only instance enqueues once, another profiles', async () => {
    const apiOnly = await createServer({ ...a.config, port: 0 }, { kit: { consume: false } });
    try {
      const token = await a.token({ org: 'org-pj', perms: WRITER });
      const { id } = await createWithContent(a, token, { name: 'api-only', format: 'CSV' }, 'k\n1\n');
      const em = apiOnly.orm.em.fork();
      const dataset = await em.findOneOrFail(Dataset, { id });
      const stored = await apiOnly.store.put('k\n1\n2\n3\n');
      const pending = await apiOnly.services.content.createPendingVersion(em, dataset, stored, 'user-x');
      expect(await apiOnly.services.profiling.enqueue(pending.id)).toBe(true);
      expect(await apiOnly.services.profiling.enqueue(pending.id)).toBe(false);
      const profiled = await waitFor(async () => {
        const v = await apiOnly.orm.em.fork().findOneOrFail(DatasetVersion, { id: pending.id });
        return v.status === 'READY' && v;
      }, 'a consuming instance to profile the version');
      expect(profiled.rowCount).toBe(3);
      await waitFor(
        async () => (await apiOnly.jobs.status(profilingJobId(pending.id)))?.state === 'done',
        'the claim to end',
      );
      expect(await apiOnly.jobs.status(profilingJobId(pending.id))).toMatchObject({ state: 'done', attempts: 1 });
    } finally {
      await apiOnly.server.stop();
    }
  });

  it('retention runs purge finished job claims (the versions stay)', async () => {
    const token = await a.token({ org: 'org-pj', perms: WRITER });
    const { version } = await createWithContent(a, token, { name: 'purged', format: 'CSV' }, 'k\n1\n');
    await waitFor(async () => (await a.built.jobs.status(profilingJobId(version.id)))?.state === 'done', 'the claim');
    const schedule = new RetentionSchedule({
      orm: a.built.orm,
      retention: a.built.services.retention,
      logger: createLogger('catalog', 'silent'),
      intervalSeconds: 0.05,
      jobs: a.built.jobs,
      claimRetentionMs: -1_000,
    }).start();
    try {
      await waitFor(async () => (await a.built.jobs.status(profilingJobId(version.id))) === undefined, 'the purge');
      expect((await a.built.orm.em.fork().findOneOrFail(DatasetVersion, { id: version.id })).status).toBe('READY');
    } finally {
      schedule.stop();
    }
  });
});
