import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/server';
import { SyntheticJobStatus, Synthesizer } from '../src/job/job.enums';
import { SyntheticDataJob } from '../src/job/synthetic-job.entity';
import { toCsv } from '../src/table/csv.codec';
import { startService } from '../../../lib/src/testing/harness';
import { testPostgresDatabase } from '../../../lib/src/testing/postgres';
import { vegaTable } from './datasets';
import type { SyntheticHarness } from './synthetic.harness';
import { RUNNER, registerDataset, startSynthetic, waitForJob } from './synthetic.harness';

type Database = { url: string; drop(): Promise<void> } | null;
const databases: [string, () => Database][] = [
  ['SQLite', () => null],
  ['PostgreSQL', () => testPostgresDatabase('aic_synthetic')],
];

describe.each(databases)('restart safety on %s', (_name, database) => {
  let h: SyntheticHarness;
  let db: Database;

  beforeAll(async () => {
    db = database();
    h = await startSynthetic(db?.url);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.drop();
  });

  async function outputSha(datasetId: string, token: string): Promise<string> {
    const meta = (await (
      await fetch(`${h.catalog.url}/internal/datasets/${datasetId}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as any;
    return meta.latestVersion.sha256;
  }

  it('picks up a job left RUNNING by a dead process and reproduces the same output for the same seed', async () => {
    const token = await h.issuer.issue({ sub: 'runner-1', org: 'org-r', perms: RUNNER });
    const sourceId = await registerDataset(h, token, {
      name: 'cars',
      format: 'CSV',
      content: toCsv(vegaTable('cars')),
      classification: 'INTERNAL',
    });
    const first = await h.gql(
      'mutation($s: ID!) { createSyntheticDataJob(input: { sourceDatasetId: $s, rows: 300, seed: 99 }) { id } }',
      { s: sourceId },
      token,
    );
    const firstJob = await waitForJob(h, first.data.createSyntheticDataJob.id, token);
    expect(firstJob.status).toBe('SUCCEEDED');

    // A job a crashed process had claimed: RUNNING in the database, in no worker.
    const em = h.built.orm.em.fork();
    const orphan = em.create(SyntheticDataJob, {
      organizationId: 'org-r',
      createdById: 'runner-1',
      sourceDatasetId: sourceId,
      synthesizer: Synthesizer.GAUSSIAN_COPULA,
      rows: 300,
      seed: 99,
      constraintsJson: [],
      columnHandlingJson: [],
      status: SyntheticJobStatus.RUNNING,
      stage: 'GENERATING',
      progress: 0.4,
      attempts: 1,
    });
    await em.flush();
    // A second process on the same database resumes what the first left unfinished.
    const restarted = await createServer(h.config, { orm: h.built.orm });
    const service = await startService('synthetic', restarted.server);
    try {
      expect(await restarted.resume()).toBe(1);
      const resumed = await waitForJob(h, orphan.id, token);
      expect(resumed).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
      expect(await outputSha(resumed.output.id, token)).toBe(await outputSha(firstJob.output.id, token));
    } finally {
      await restarted.jobs.close();
      await service.stop().catch(() => undefined);
    }
  });
});
