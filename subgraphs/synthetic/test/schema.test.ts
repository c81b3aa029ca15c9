import { printSubgraphSchema } from '@apollo/subgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyntheticDataJob } from '../src/job/synthetic-job.entity';
import { SyntheticReport } from '../src/report/synthetic-report.entity';
import type { SyntheticHarness } from './synthetic.harness';
import { startSynthetic } from './synthetic.harness';

let h: SyntheticHarness;

beforeAll(async () => {
  h = await startSynthetic();
});

afterAll(async () => {
  await h?.stop();
});

describe('synthetic subgraph schema', () => {
  it('matches the checked-in SDL', async () => {
    await expect(printSubgraphSchema(h.built.schema)).toMatchFileSnapshot('../schema.graphql');
  });

  it('resolves _entities for SyntheticDataJob and SyntheticReport with permissions applied', async () => {
    const em = h.built.orm.em.fork();
    const job = em.create(SyntheticDataJob, {
      organizationId: 'org-e',
      createdById: 'u-1',
      sourceDatasetId: '00000000-0000-4000-8000-000000000001',
      synthesizer: 'GAUSSIAN_COPULA' as SyntheticDataJob['synthesizer'],
      rows: 10,
      seed: 1,
      constraintsJson: [],
      columnHandlingJson: [],
    });
    const report = em.create(SyntheticReport, {
      organizationId: 'org-e',
      jobId: job.id,
      rows: 10,
      compliance: {
        sourceDatasetId: job.sourceDatasetId,
        sourceVersion: 1,
        sourceSha256: null,
        schemaVersionId: null,
        synthesizer: 'GAUSSIAN_COPULA',
        seed: 1,
        ranBy: 'u-1',
        ranAt: new Date(0).toISOString(),
        piiColumns: [],
        piiHandling: 'No PII column was found.',
        droppedColumns: [],
        trainingRows: 10,
        holdoutRows: 0,
        differentialPrivacy: null,
      },
    });
    job.reportId = report.id;
    await em.flush();
    const query = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on SyntheticDataJob { id rows source { id } report { id } }
      ... on SyntheticReport { id rows compliance { ranBy } job { id } } } }`;
    const representations = [
      { __typename: 'SyntheticDataJob', id: job.id },
      { __typename: 'SyntheticReport', id: report.id },
    ];
    const reader = await h.token({ org: 'org-e', perms: ['synthetic:read'] });
    const found = await h.gql(query, { r: representations }, reader);
    expect(found.errors).toBeUndefined();
    expect(found.data._entities).toEqual([
      { id: job.id, rows: 10, source: { id: job.sourceDatasetId }, report: { id: report.id } },
      { id: report.id, rows: 10, compliance: { ranBy: 'u-1' }, job: { id: job.id } },
    ]);
    const otherOrg = await h.token({ org: 'org-x', perms: ['synthetic:read'] });
    expect((await h.gql(query, { r: representations }, otherOrg)).data._entities).toEqual([null, null]);
    const noPermission = await h.token({ org: 'org-e', perms: [] });
    expect((await h.gql(query, { r: representations }, noPermission)).data._entities).toEqual([null, null]);
    const sdl = await h.gql('{ _service { sdl } }');
    expect(sdl.data._service.sdl).toMatch(/type SyntheticDataJob\s+@key\(fields: "id"\)/);
  });
});
