// End to end through the gateway (#19) with a public table from an installed npm package (vega-datasets'
// cars: a product `Name`, an ISO date `Year`, missing values, a category `Origin`; BSD-3-Clause):
// upload → profile (no date column flagged PHONE, product names not PERSON_NAME by name alone) →
// synthesize (the date column comes out as valid dates and is in the quality report).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from './support/platform';
import { startPlatform } from './support/platform';

const cars = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../node_modules/vega-datasets/data/cars.json'), 'utf8'),
) as Record<string, string | number | null>[];
const COLUMNS = ['Name', 'Miles_per_Gallon', 'Cylinders', 'Horsepower', 'Weight_in_lbs', 'Year', 'Origin'];
const csv = [
  COLUMNS.join(','),
  ...cars.map((c) =>
    COLUMNS.map((k) => (c[k] === null ? '' : k === 'Name' ? `"${String(c[k])}"` : String(c[k]))).join(','),
  ),
].join('\n');

let p: Platform;
beforeAll(async () => {
  p = await startPlatform({ only: ['catalog', 'schemas', 'synthetic'] });
}, 60_000);
afterAll(() => p?.stop());

async function until<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('PII detection and synthesis on a public table (#19)', () => {
  it('profiles cars without false PII and synthesizes valid dates that are in the quality report', async () => {
    const token = p.owner.token;
    expect(cars.some((c) => c.Miles_per_Gallon === null)).toBe(true);
    const created = await p.call('mutation { createDataset(input: { name: "cars", format: CSV }) { id } }', {}, token);
    expect(created.errors).toBeUndefined();
    const id = created.data.createDataset.id;
    const ticket = (
      await p.call(
        'mutation($i: CreateDatasetUploadInput!) { createDatasetUpload(input: $i) { id url token } }',
        { i: { purpose: 'DATASET_CONTENT', filename: 'cars.csv', contentType: 'text/csv' } },
        token,
      )
    ).data.createDatasetUpload;
    // The ticket names the public URL (the gateway default); in-process the catalog serves uploads itself.
    const put = await fetch(`${p.services.catalog!.url}/uploads/${ticket.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ticket.token}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(put.status).toBe(201);
    const added = await p.call(
      'mutation($d: ID!, $u: ID!) { addDatasetVersion(datasetId: $d, uploadId: $u) { version } }',
      { d: id, u: ticket.id },
      token,
    );
    expect(added.errors).toBeUndefined();
    const q =
      'query($id: ID!) { dataset(id: $id) { versions { status error } columns { name type classification detectedPii confidence reason } } }';
    const dataset = await until(async () => {
      const res = await p.call(q, { id }, token);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      const d = res.data.dataset;
      if (d.versions[0]?.status === 'FAILED') throw new Error(`profiling failed: ${d.versions[0].error}`);
      return d.versions[0]?.status === 'READY' ? d : undefined;
    }, 'the cars dataset to be profiled');
    const byName = Object.fromEntries(dataset.columns.map((c: any) => [c.name, c]));
    expect(Object.keys(byName)).toEqual(COLUMNS);
    for (const c of dataset.columns)
      expect(c).toMatchObject({ classification: 'INTERNAL', detectedPii: null, confidence: null, reason: null });

    const job = await p.call(
      'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }',
      { i: { sourceDatasetId: id, rows: 120, seed: 7 } },
      token,
    );
    expect(job.errors).toBeUndefined();
    const jq =
      'query($id: ID!) { syntheticDataJob(id: $id) { status error output { id } report { quality { columns { column metric score } } } } }';
    const done = await until(
      async () => {
        const j = (await p.call(jq, { id: job.data.createSyntheticDataJob.id }, token)).data?.syntheticDataJob;
        return j && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status) ? j : undefined;
      },
      'the synthetic job',
      120_000,
    );
    expect(done).toMatchObject({ status: 'SUCCEEDED', error: null });
    const year = done.report.quality.columns.find((c: any) => c.column === 'Year');
    expect(year?.score).toEqual(expect.any(Number));
    const preview = (
      await p.call(
        'query($id: ID!) { dataset(id: $id) { preview(limit: 100) { rows maskedColumns } } }',
        { id: done.output.id },
        token,
      )
    ).data.dataset.preview;
    expect(preview.maskedColumns).toEqual([]);
    expect(preview.rows.length).toBe(100);
    for (const row of preview.rows) {
      const y = String(row.Year);
      expect(y, `synthetic Year ${y}`).toMatch(/^\d{4}-\d{2}-\d{2}/);
      expect(Number.isNaN(Date.parse(y)), `synthetic Year ${y}`).toBe(false);
      expect(new Date(Date.parse(y)).toISOString().slice(0, 10)).toBe(y.slice(0, 10));
    }
  }, 180_000);
});
