import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../../lib/src/testing/harness';
import { parseCsv, toCsv } from '../src/table/csv.codec';
import { columnValues } from '../src/table/table.types';
import { vegaTable } from './datasets';
import type { SyntheticHarness } from './synthetic.harness';
import { RUNNER, registerDataset, startSynthetic, waitForJob } from './synthetic.harness';

// Issue #19: a steward's decision in the catalog reaches synthesis. Synthesis fakes any "…name" column by its
// name alone (PROTECT errs towards protection); once a data steward DISMISSes the column in the catalog
// (reviewColumnPii: not personal data), jobs model it from the source like any other column, unless the job
// itself asks to fake it. Real catalog and synthetic services.

let h: SyntheticHarness;
let token: string;
let sourceId: string;
const species = vegaTable('penguins');
const at = species.columns.indexOf('Species');

beforeAll(async () => {
  h = await startSynthetic();
  token = await h.issuer.issue({ sub: 'steward', org: 'org-review', perms: RUNNER });
  // A product-style `product_name` column (three values): not personal data, but named like a person's name.
  const csv = toCsv({
    columns: ['product_name', 'Beak Length (mm)'],
    rows: species.rows
      .filter((r) => r[species.columns.indexOf('Beak Length (mm)')] !== null)
      .map((r) => [`${String(r[at])} kit`, r[species.columns.indexOf('Beak Length (mm)')]!]),
  });
  sourceId = await registerDataset(h, token, { name: 'penguin kits', format: 'CSV', content: csv });
});

afterAll(async () => {
  await h?.stop();
});

async function synthesize(
  columns?: { column: string; handling: string }[],
): Promise<{ pii: string[]; names: string[] }> {
  const created = await h.gql(
    'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }',
    { i: { sourceDatasetId: sourceId, rows: 80, seed: 5, ...(columns ? { columns } : {}) } },
    token,
  );
  expect(created.errors).toBeUndefined();
  const job = await waitForJob(h, created.data.createSyntheticDataJob.id, token);
  expect(job).toMatchObject({ status: 'SUCCEEDED', error: null });
  const report = await h.gql(
    'query($id: ID!) { syntheticDataJob(id: $id) { report { privacy { piiColumns } } } }',
    { id: job.id },
    token,
  );
  const content = await fetch(`${h.catalog.url}/internal/datasets/${job.output.id}/content`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(content.status).toBe(200);
  return {
    pii: report.data.syntheticDataJob.report.privacy.piiColumns,
    names: columnValues(parseCsv(await content.text()), 'product_name').map(String),
  };
}

describe('a steward’s PII review reaches synthesis', () => {
  it('fakes a name column until the steward dismisses it, then models it (a job asking FAKE still fakes)', async () => {
    const kits = new Set(species.rows.map((r) => `${String(r[at])} kit`));
    const before = await synthesize();
    expect(before.pii).toEqual(['product_name']);
    expect(before.names.filter((n) => kits.has(n))).toEqual([]);

    const reviewed = await gql(
      h.catalog.graphqlUrl,
      'mutation($d: ID!) { reviewColumnPii(datasetId: $d, column: "product_name", decision: DISMISS) { columns { name classification piiReview } } }',
      { d: sourceId },
      token,
    );
    expect(reviewed.errors).toBeUndefined();
    expect(reviewed.data.reviewColumnPii.columns[0]).toEqual({
      name: 'product_name',
      classification: 'INTERNAL',
      piiReview: 'DISMISS',
    });

    const after = await synthesize();
    expect(after.pii).toEqual([]);
    expect(after.names).toHaveLength(80);
    for (const n of after.names) expect(kits.has(n), n).toBe(true);

    const faked = await synthesize([{ column: 'product_name', handling: 'FAKE' }]);
    expect(faked.pii).toEqual(['product_name']);
    expect(faked.names.filter((n) => kits.has(n))).toEqual([]);
  });
});
