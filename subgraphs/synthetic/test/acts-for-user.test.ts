import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../../lib/src/testing/harness';
import { parseCsv, toCsv } from '../src/table/csv.codec';
import { columnValues } from '../src/table/table.types';
import { vegaTable } from './datasets';
import type { SyntheticHarness } from './synthetic.harness';
import { RUNNER, registerDataset, startSynthetic, waitForJob } from './synthetic.harness';

// Synthetic jobs act for the user who started them (a delegated token from identity, here the test
// issuer, which refuses a permission the user was never given as identity does): they read what
// that user may read, and register the output as that user.

const REPORT = `id status error output { id }
  report { privacy { piiColumns piiColumnsNotRead exactMatchCount } compliance { piiColumns piiHandling ranBy } }`;

let h: SyntheticHarness;
let csv: string;
let emails: string[];

beforeAll(async () => {
  h = await startSynthetic();
  const penguins = vegaTable('penguins');
  const { Faker, en, base } = await import('@faker-js/faker');
  const faker = new Faker({ locale: [en, base] });
  faker.seed(91);
  emails = penguins.rows.map(() => faker.internet.email());
  // The PII column sits in the middle, so the output's column order is checked too.
  csv = toCsv({
    columns: [penguins.columns[0]!, 'observer_email', ...penguins.columns.slice(1)],
    rows: penguins.rows.map((row, i) => [row[0]!, emails[i]!, ...row.slice(1)]),
  });
});

afterAll(async () => {
  await h?.stop();
});

async function runJob(token: string, sourceDatasetId: string): Promise<any> {
  const created = await h.gql(
    'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }',
    { i: { sourceDatasetId, rows: 300, seed: 7 } },
    token,
  );
  expect(created.errors).toBeUndefined();
  await waitForJob(h, created.data.createSyntheticDataJob.id, token);
  return (
    await h.gql(
      `query($id: ID!) { syntheticDataJob(id: $id) { ${REPORT} } }`,
      { id: created.data.createSyntheticDataJob.id },
      token,
    )
  ).data.syntheticDataJob;
}

describe('synthetic jobs act for their user', () => {
  it('fakes a PII column unread for a user without catalog:read-pii, says so, and registers the output as that user', async () => {
    const userId = 'analyst-no-pii';
    const token = await h.issuer.issue({ sub: userId, org: 'org-u', perms: RUNNER });
    const sourceId = await registerDataset(h, token, {
      name: 'penguin notes',
      format: 'CSV',
      content: csv,
      classification: 'CONFIDENTIAL',
      columns: [{ name: 'observer_email', classification: 'PII' }],
    });
    const job = await runJob(token, sourceId);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.report.privacy.piiColumns).toContain('observer_email');
    expect(job.report.privacy.piiColumnsNotRead).toEqual(['observer_email']);
    expect(job.report.compliance.piiHandling).toMatch(/observer_email: not read .*catalog:read-pii/);
    expect(job.report.compliance.ranBy).toBe(userId);

    // The output is the user's own dataset (created with their delegated token, not the service's).
    const owner = await gql(
      h.catalog.graphqlUrl,
      'query($id: ID!) { dataset(id: $id) { owner { id } } }',
      {
        id: job.output.id,
      },
      token,
    );
    expect(owner.errors).toBeUndefined();
    expect(owner.data.dataset.owner.id).toBe(userId);

    // The user may not read the output's PII column either (it keeps the source's classification)...
    const content = (id: string, bearer: string, query = '') =>
      fetch(`${h.catalog.url}/internal/datasets/${id}/content${query}`, {
        headers: { authorization: `Bearer ${bearer}` },
      });
    expect((await content(job.output.id, token)).status).toBe(403);
    expect(
      (await content(job.output.id, token, `?column=${encodeURIComponent(parseCsv(csv).columns[0]!)}`)).status,
    ).toBe(200);
    // ...but owns it, so can share it with a data steward who may.
    const granted = await gql(
      h.catalog.graphqlUrl,
      'mutation($d: ID!) { grantAccess(datasetId: $d, subjectType: USER, subjectId: "steward", level: READ) { id } }',
      { d: job.output.id },
      token,
    );
    expect(granted.errors).toBeUndefined();
    const steward = await h.issuer.issue({ sub: 'steward', org: 'org-u', perms: [...RUNNER, 'catalog:read-pii'] });
    const output = parseCsv(await (await content(job.output.id, steward)).text());
    // Same columns in the same order; the PII column holds email-shaped fakes, none of them a source value.
    expect(output.columns).toEqual(parseCsv(csv).columns);
    const fakes = columnValues(output, 'observer_email').map(String);
    expect(fakes).toHaveLength(300);
    for (const fake of fakes) expect(fake).toMatch(/^[^@\s]+@[^@\s]+$/);
    expect(fakes.filter((f) => emails.includes(f))).toEqual([]);
  });

  it('reads the PII column for a user who holds catalog:read-pii and checks the fakes against it', async () => {
    const userId = 'analyst-pii';
    const token = await h.issuer.issue({ sub: userId, org: 'org-p', perms: [...RUNNER, 'catalog:read-pii'] });
    const sourceId = await registerDataset(h, token, {
      name: 'penguin notes',
      format: 'CSV',
      content: csv,
      classification: 'CONFIDENTIAL',
      columns: [{ name: 'observer_email', classification: 'PII' }],
    });
    const job = await runJob(token, sourceId);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.report.privacy.piiColumnsNotRead).toEqual([]);
    expect(job.report.compliance.piiHandling).toMatch(/observer_email: no value equal to a source value/);
    expect(job.report.compliance.piiHandling).not.toMatch(/not read/);
  });

  it('refuses at submission what the job could not do as its user, naming the permission', async () => {
    const reader = await h.issuer.issue({
      sub: 'reader',
      org: 'org-r',
      perms: ['synthetic:run', 'synthetic:read', 'catalog:read'],
    });
    const owner = await h.issuer.issue({ sub: 'owner', org: 'org-r', perms: RUNNER });
    const plain = await registerDataset(h, owner, { name: 'plain', format: 'CSV', content: 'a,b\n1,2\n3,4\n5,6\n' });
    await gql(
      h.catalog.graphqlUrl,
      'mutation($d: ID!) { grantAccess(datasetId: $d, subjectType: USER, subjectId: "reader", level: READ) { id } }',
      { d: plain },
      owner,
    );
    const mutation = 'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }';
    // No catalog:write: the output could not be registered as this user.
    const noWrite = await h.gql(mutation, { i: { sourceDatasetId: plain, rows: 10 } }, reader);
    expect(noWrite.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', permission: 'catalog:write' });
    expect(noWrite.errors?.[0]?.message).toMatch(/catalog:write/);
    // A dataset classified PII as a whole leaves nothing to read without catalog:read-pii.
    const allPii = await registerDataset(h, owner, {
      name: 'patients',
      format: 'CSV',
      content: 'a,b\n1,2\n3,4\n5,6\n',
      classification: 'PII',
    });
    const refused = await h.gql(mutation, { i: { sourceDatasetId: allPii, rows: 10 } }, owner);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      dataset: 'patients',
      permission: 'catalog:read-pii',
    });
    const jobs = await h.gql('{ syntheticDataJobs { id } }', {}, owner);
    expect(jobs.data?.syntheticDataJobs ?? []).toEqual([]);
  });
});
