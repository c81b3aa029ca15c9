import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../src/dataset/dataset.entity';
import type { CatalogHarness } from './catalog.harness';
import {
  ALL_CATALOG,
  READER,
  WRITER,
  createWithContent,
  startCatalog,
  uploadVersion,
  waitForVersion,
} from './catalog.harness';
import { testDatabases } from './databases';
import { VEGA_DATA } from './fixtures';

let h: CatalogHarness;

const penguins = JSON.parse(fs.readFileSync(path.join(VEGA_DATA, 'penguins.json'), 'utf8')) as Record<
  string,
  string | number | null
>[];
const penguinsJsonl = penguins.map((r) => JSON.stringify(r)).join('\n');

async function peopleCsv(n: number): Promise<string> {
  const { faker } = await import('@faker-js/faker');
  faker.seed(7);
  const rows = Array.from(
    { length: n },
    (_, i) =>
      `${i + 1},${faker.person.firstName()} ${faker.person.lastName()},${faker.internet.email()},${faker.number.int({ min: 18, max: 90 })}`,
  );
  return ['id,full_name,email,age', ...rows].join('\n');
}

describe.each(testDatabases())('on $label', (db) => {
  beforeAll(async () => {
    h = await startCatalog({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await h?.stop();
    await db.drop();
  });

  describe('datasets: upload, profile, preview', () => {
    it('profiles an uploaded JSON Lines file exactly (penguins)', async () => {
      const token = await h.token({ org: 'org-p', perms: WRITER });
      const { id, version } = await createWithContent(
        h,
        token,
        { name: 'penguins', format: 'JSONL', tags: ['biology', 'vega'], description: 'Palmer penguins' },
        penguinsJsonl,
      );
      expect(version).toMatchObject({ version: 1, rowCount: 344, size: Buffer.byteLength(penguinsJsonl) });
      const mass = penguins.map((r) => r['Body Mass (g)']).filter((v): v is number => typeof v === 'number');
      const mean = mass.reduce((a, b) => a + b, 0) / mass.length;
      const sd = Math.sqrt(mass.reduce((a, b) => a + (b - mean) ** 2, 0) / (mass.length - 1));
      const p = version.columnProfiles.find((c: any) => c.name === 'Body Mass (g)');
      expect(p).toMatchObject({
        type: 'INTEGER',
        nullCount: 2,
        distinctCount: new Set(mass).size,
        min: Math.min(...mass),
        max: Math.max(...mass),
      });
      expect(p.mean).toBeCloseTo(mean, 9);
      expect(p.stddev).toBeCloseTo(sd, 9);
      expect(p.histogram.reduce((a: number, b: any) => a + b.count, 0)).toBe(mass.length);
      const d = await h.gql(
        'query($id: ID!) { dataset(id: $id) { name latestVersion location columns { name type classification profile { nullFraction } } preview(limit: 2) { rows maskedColumns } versions { version } } }',
        { id },
        token,
      );
      expect(d.data.dataset.location).toBe(`aic://catalog/datasets/${id}`);
      expect(d.data.dataset.columns.map((c: any) => [c.name, c.type, c.classification])).toEqual([
        ['Species', 'STRING', 'INTERNAL'],
        ['Island', 'STRING', 'INTERNAL'],
        ['Beak Length (mm)', 'FLOAT', 'INTERNAL'],
        ['Beak Depth (mm)', 'FLOAT', 'INTERNAL'],
        ['Flipper Length (mm)', 'INTEGER', 'INTERNAL'],
        ['Body Mass (g)', 'INTEGER', 'INTERNAL'],
        ['Sex', 'STRING', 'INTERNAL'],
      ]);
      expect(d.data.dataset.preview).toEqual({ rows: penguins.slice(0, 2), maskedColumns: [] });
      await uploadVersion(h, token, id, penguinsJsonl.split('\n').slice(0, 10).join('\n'), 'application/x-ndjson');
      const again = await h.gql(
        'query($id: ID!) { dataset(id: $id) { latestVersion versions { version rowCount } } }',
        { id },
        token,
      );
      expect(again.data.dataset).toEqual({
        latestVersion: 2,
        versions: [
          { version: 2, rowCount: 10 },
          { version: 1, rowCount: 344 },
        ],
      });
    });

    it('refuses malformed content and unknown uploads with BAD_USER_INPUT / NOT_FOUND', async () => {
      const token = await h.token({ org: 'org-p', perms: WRITER });
      const created = await h.gql(
        'mutation { createDataset(input: { name: "broken", format: JSONL }) { id } }',
        {},
        token,
      );
      await expect(
        uploadVersion(h, token, created.data.createDataset.id, '{"a":1}\nnot json\n', 'application/x-ndjson'),
      ).rejects.toThrow(/FAILED: Content is not valid JSONL: line 2/);
      const missing = await h.gql(
        'mutation($d: ID!) { addDatasetVersion(datasetId: $d, uploadId: "00000000-0000-4000-8000-000000000000") { id } }',
        { d: created.data.createDataset.id },
        token,
      );
      expect(missing.errors?.[0].extensions.code).toBe('NOT_FOUND');
      const bad = await h.gql(
        'mutation { createDataset(input: { name: " ", format: CSV, tags: ["no spaces"] }) { id } }',
        {},
        token,
      );
      expect(bad.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [{ field: 'name' }, { field: 'tags' }],
      });
      const dup = await h.gql('mutation { createDataset(input: { name: "broken", format: CSV }) { id } }', {}, token);
      expect(dup.errors?.[0].extensions.code).toBe('CONFLICT');
    });

    it('resumes profiling of versions a stopped process left PROFILING', async () => {
      const token = await h.token({ org: 'org-p', perms: WRITER });
      const created = await h.gql(
        'mutation { createDataset(input: { name: "resumed", format: CSV }) { id } }',
        {},
        token,
      );
      const em = h.built.orm.em.fork();
      const dataset = await em.findOneOrFail(Dataset, { id: created.data.createDataset.id });
      const stored = await h.built.store.put('k,v\na,1\nb,2\n');
      const { content } = h.built.services;
      const pending = await content.createPendingVersion(em, dataset, stored, 'user-x');
      // A version from before profiling ran as a job: PROFILING, no claim. `resume` gives it one, once.
      expect(await h.built.resume()).toBe(1);
      expect(await h.built.resume()).toBe(0);
      expect(await waitForVersion(h, token, dataset.id, pending.version)).toMatchObject({
        status: 'READY',
        rowCount: 2,
      });
    });

    it('detects PII on upload and masks it for readers without catalog:read-pii, auditing unmasked reads', async () => {
      const owner = await h.token({ org: 'org-pii', perms: ALL_CATALOG });
      const csv = await peopleCsv(40);
      const { id } = await createWithContent(h, owner, { name: 'customers', format: 'CSV' }, csv);
      const q =
        'query($id: ID!) { dataset(id: $id) { columns { name classification detectedPii } preview(limit: 3) { rows maskedColumns } } }';
      const reader = await h.token({ org: 'org-pii', perms: READER });
      const masked = (await h.gql(q, { id }, reader)).data.dataset;
      expect(masked.columns.map((c: any) => [c.name, c.classification, c.detectedPii])).toEqual([
        ['id', 'INTERNAL', null],
        ['full_name', 'PII', 'PERSON_NAME'],
        ['email', 'PII', 'EMAIL'],
        ['age', 'INTERNAL', null],
      ]);
      const lines = csv
        .split('\n')
        .slice(1, 4)
        .map((l) => l.split(','));
      expect(masked.preview).toEqual({
        maskedColumns: ['full_name', 'email'],
        rows: lines.map((l) => ({ id: l[0], full_name: '***', email: '***', age: l[3] })),
      });
      const privileged = await h.token({ org: 'org-pii', perms: ['catalog:read', 'catalog:read-pii'] });
      const clear = (await h.gql(q, { id }, privileged)).data.dataset.preview;
      expect(clear.rows[0]).toEqual({
        id: lines[0]![0],
        full_name: lines[0]![1],
        email: lines[0]![2],
        age: lines[0]![3],
      });
      const audit = await h.gql('query($id: ID) { auditEntries(datasetId: $id) { action details } }', { id }, owner);
      expect(audit.data.auditEntries.filter((e: any) => e.action === 'PII_READ')).toEqual([
        { action: 'PII_READ', details: { via: 'preview', version: 1, columns: ['full_name', 'email'], rows: 3 } },
      ]);
      const noAudit = await h.gql('query { auditEntries { id } }', {}, reader);
      expect(noAudit.errors?.[0].extensions.code).toBe('FORBIDDEN');
      // A dataset labelled PII as a whole, with no column marked: every column is masked.
      const whole = await createWithContent(
        h,
        owner,
        { name: 'patients', format: 'CSV', classification: 'PII' },
        'code,value\nA1,3\n',
      );
      const readerId = 'reader-pii-whole';
      await h.gql(
        'mutation($d: ID!, $s: String!) { grantAccess(datasetId: $d, subjectType: USER, subjectId: $s, level: READ) { id } }',
        { d: whole.id, s: readerId },
        owner,
      );
      const granted = await h.issuer.issue({ sub: readerId, org: 'org-pii', perms: READER });
      expect(
        (
          await h.gql(
            'query($id: ID!) { dataset(id: $id) { preview { rows maskedColumns } } }',
            { id: whole.id },
            granted,
          )
        ).data.dataset.preview,
      ).toEqual({ rows: [{ code: '***', value: '***' }], maskedColumns: ['code', 'value'] });
    });
    it('shows confidence and reason, and a data steward confirms or dismisses a detection; enforcement and later versions follow it', async () => {
      const owner = await h.token({ org: 'org-review', perms: ALL_CATALOG });
      const cars = JSON.parse(fs.readFileSync(path.join(VEGA_DATA, 'cars.json'), 'utf8')) as Record<string, unknown>[];
      const csv = [
        'Name,Year,Origin,email',
        ...cars.slice(0, 40).map((c, i) => `${c.Name},${c.Year},${c.Origin},driver${i}@example.org`),
      ].join('\n');
      const { id } = await createWithContent(h, owner, { name: 'cars-contacts', format: 'CSV' }, csv);
      const q =
        'query($id: ID!) { dataset(id: $id) { columns { name classification detectedPii confidence reason piiReview } preview(limit: 1) { maskedColumns } } }';
      const reader = await h.token({ org: 'org-review', perms: READER });
      const before = (await h.gql(q, { id }, owner)).data.dataset;
      const byName = Object.fromEntries(before.columns.map((c: any) => [c.name, c]));
      expect(byName.Year).toMatchObject({ classification: 'INTERNAL', detectedPii: null, confidence: null });
      expect(byName.Name).toMatchObject({ classification: 'INTERNAL', detectedPii: null });
      expect(byName.email).toMatchObject({ classification: 'PII', detectedPii: 'EMAIL', piiReview: null });
      expect(byName.email.confidence).toBeGreaterThan(0.8);
      expect(byName.email.reason).toContain('email addresses');

      const review =
        'mutation($d: ID!, $c: String!, $x: PiiReviewDecision!) { reviewColumnPii(datasetId: $d, column: $c, decision: $x) { columns { name classification piiReview } } }';
      const denied = await h.gql(review, { d: id, c: 'email', x: 'DISMISS' }, reader);
      expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
      const unknown = await h.gql(review, { d: id, c: 'nope', x: 'DISMISS' }, owner);
      expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'column' }] });
      const dismissed = await h.gql(review, { d: id, c: 'email', x: 'DISMISS' }, owner);
      expect(dismissed.data.reviewColumnPii.columns.find((c: any) => c.name === 'email')).toEqual({
        name: 'email',
        classification: 'INTERNAL',
        piiReview: 'DISMISS',
      });
      expect((await h.gql(q, { id }, reader)).data.dataset.preview.maskedColumns).toEqual([]);
      // A new version is detected again, but the steward's decision stands.
      await uploadVersion(h, owner, id, csv, 'text/csv');
      const after = (await h.gql(q, { id }, owner)).data.dataset.columns.find((c: any) => c.name === 'email');
      expect(after).toMatchObject({ classification: 'INTERNAL', detectedPii: 'EMAIL', piiReview: 'DISMISS' });
      await h.gql(review, { d: id, c: 'Origin', x: 'CONFIRM' }, owner);
      expect((await h.gql(q, { id }, reader)).data.dataset.preview.maskedColumns).toEqual(['Origin']);
    });
  });

  describe('search', () => {
    it('ranks full-text matches over names, tags, columns and descriptions, with filters and pagination', async () => {
      const token = await h.token({ org: 'org-s', perms: WRITER });
      const make = (name: string, extra: Record<string, unknown> = {}) =>
        h.gql(
          'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }',
          { i: { name, format: 'CSV', ...extra } },
          token,
        );
      await make('weather daily', { tags: ['climate'], description: 'Seattle weather observations' });
      await make('sales', { description: 'Revenue, not about weather at all' });
      await make('stations', { tags: ['weather'], columns: [{ name: 'station_id', classification: 'INTERNAL' }] });
      await make('secret weather', { classification: 'CONFIDENTIAL' });
      const q =
        'query($q: String, $f: DatasetFilterInput, $first: Int!, $after: String) { datasets(query: $q, filter: $f, first: $first, after: $after) { totalCount edges { cursor score node { name } } pageInfo { hasNextPage hasPreviousPage endCursor } } }';
      const reader = await h.token({ org: 'org-s', perms: READER });
      const all = (await h.gql(q, { q: 'weather', first: 10 }, reader)).data.datasets;
      expect(all.edges.map((e: any) => e.node.name)).toEqual(['weather daily', 'stations', 'sales']);
      expect(all.totalCount).toBe(3);
      const page1 = (await h.gql(q, { q: 'weather', first: 2 }, reader)).data.datasets;
      expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const page2 = (await h.gql(q, { q: 'weather', first: 2, after: page1.pageInfo.endCursor }, reader)).data.datasets;
      expect(page2.edges.map((e: any) => e.node.name)).toEqual(['sales']);
      expect(page2.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      expect(
        (await h.gql(q, { q: 'station_id', first: 5 }, reader)).data.datasets.edges.map((e: any) => e.node.name),
      ).toEqual(['stations']);
      expect(
        (await h.gql(q, { f: { tags: ['climate'] }, first: 5 }, reader)).data.datasets.edges.map(
          (e: any) => e.node.name,
        ),
      ).toEqual(['weather daily']);
      expect(
        (
          await h.gql(q, { q: 'weather', f: { classification: ['CONFIDENTIAL'] }, first: 5 }, token)
        ).data.datasets.edges.map((e: any) => e.node.name),
      ).toEqual(['secret weather']);
      const bad = await h.gql(q, { first: 5, after: 'bogus' }, reader);
      expect(bad.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    });
  });
});
