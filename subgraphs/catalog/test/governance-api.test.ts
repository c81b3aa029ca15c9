import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/src/index';
import { Dataset } from '../src/dataset/dataset.entity';
import { RetentionSchedule } from '../src/governance/retention.schedule';
import { DatasetVersion } from '../src/dataset/dataset-version.entity';
import type { CatalogHarness } from './catalog.harness';
import { ALL_CATALOG, READER, WRITER, createWithContent, startCatalog, uploadVersion } from './catalog.harness';
import { testDatabases } from './databases';
import { VEGA_DATA } from './fixtures';

let h: CatalogHarness;

const weather = fs.readFileSync(path.join(VEGA_DATA, 'seattle-weather.csv'), 'utf8');
const DATASET = 'query($id: ID!) { dataset(id: $id) { name viewerAccess } }';

describe.each(testDatabases())('on $label', (db) => {
  beforeAll(async () => {
    h = await startCatalog({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await h?.stop();
    await db.drop();
  });

  describe('governance', () => {
    it('hides confidential datasets from readers without a grant; requests, approval and role grants open them', async () => {
      const ownerToken = await h.token({ org: 'org-g', perms: WRITER });
      const { id } = await createWithContent(
        h,
        ownerToken,
        { name: 'team-finance', format: 'CSV', classification: 'CONFIDENTIAL' },
        'a\n1\n',
      );
      const readerSub = 'reader-1';
      const reader = await h.issuer.issue({ sub: readerSub, org: 'org-g', perms: READER });
      expect((await h.gql(DATASET, { id }, reader)).errors?.[0].extensions.code).toBe('NOT_FOUND');
      expect(
        (await h.gql('{ datasets(first: 50) { edges { node { id } } } }', {}, reader)).data.datasets.edges,
      ).toEqual([]);
      const req = await h.gql(
        'mutation($d: ID!) { requestAccess(datasetId: $d, level: READ, reason: "quarterly report") { id status } }',
        { d: id },
        reader,
      );
      expect(req.data.requestAccess.status).toBe('PENDING');
      expect(
        (await h.gql('mutation($d: ID!) { requestAccess(datasetId: $d, level: READ) { id } }', { d: id }, reader))
          .errors?.[0].extensions.code,
      ).toBe('CONFLICT');
      // Only an owner decides.
      const other = await h.token({ org: 'org-g', perms: WRITER });
      expect(
        (
          await h.gql(
            'mutation($r: ID!) { decideAccessRequest(id: $r, approve: true) { id } }',
            { r: req.data.requestAccess.id },
            other,
          )
        ).errors?.[0].extensions.code,
      ).toBe('NOT_FOUND');
      const pending = await h.gql('{ accessRequests(status: PENDING) { id reason requester { id } } }', {}, ownerToken);
      expect(pending.data.accessRequests).toEqual([
        { id: req.data.requestAccess.id, reason: 'quarterly report', requester: { id: readerSub } },
      ]);
      const decided = await h.gql(
        'mutation($r: ID!) { decideAccessRequest(id: $r, approve: true, note: "ok") { status decidedBy { id } } }',
        { r: req.data.requestAccess.id },
        ownerToken,
      );
      expect(decided.data.decideAccessRequest.status).toBe('APPROVED');
      expect((await h.gql(DATASET, { id }, reader)).data.dataset).toEqual({
        name: 'team-finance',
        viewerAccess: 'READ',
      });
      // READ is not WRITE.
      const write = await h.gql(
        'mutation($id: ID!) { updateDataset(id: $id, input: { description: "x" }) { id } }',
        { id },
        await h.issuer.issue({ sub: readerSub, org: 'org-g', perms: WRITER }),
      );
      expect(write.errors?.[0].extensions.code).toBe('FORBIDDEN');
      // A role grant opens it to every holder of the role; revoking closes it again.
      const grant = await h.gql(
        'mutation($d: ID!) { grantAccess(datasetId: $d, subjectType: ROLE, subjectId: "finance", level: WRITE) { id } }',
        { d: id },
        ownerToken,
      );
      const financier = await h.token({ org: 'org-g', perms: WRITER, roles: ['finance'] });
      expect((await h.gql(DATASET, { id }, financier)).data.dataset.viewerAccess).toBe('WRITE');
      expect(
        (await h.gql('mutation($g: ID!) { revokeAccess(grantId: $g) }', { g: grant.data.grantAccess.id }, ownerToken))
          .data.revokeAccess,
      ).toBe(true);
      expect((await h.gql(DATASET, { id }, financier)).errors?.[0].extensions.code).toBe('NOT_FOUND');
      const grants = await h.gql(
        'query($id: ID!) { dataset(id: $id) { accessGrants { subjectType subjectId level } } }',
        { id },
        ownerToken,
      );
      expect(grants.data.dataset.accessGrants).toEqual([{ subjectType: 'USER', subjectId: readerSub, level: 'READ' }]);
      const audit = await h.gql(
        'query($id: ID) { auditEntries(datasetId: $id) { action } }',
        { id },
        await h.token({ org: 'org-g', perms: ['audit:read'] }),
      );
      expect(audit.data.auditEntries.map((e: any) => e.action).sort()).toEqual([
        'ACCESS_GRANTED',
        'ACCESS_GRANTED',
        'ACCESS_REQUEST_DECIDED',
        'ACCESS_REVOKED',
      ]);
    });

    it('deletes a dataset with its contents, for owners only', async () => {
      const owner = await h.token({ org: 'org-del', perms: WRITER });
      const { id } = await createWithContent(h, owner, { name: 'to-delete', format: 'CSV' }, 'zz\n9\n');
      const writer = await h.token({ org: 'org-del', perms: WRITER });
      expect(
        (await h.gql('mutation($id: ID!) { deleteDataset(id: $id) }', { id }, writer)).errors?.[0].extensions.code,
      ).toBe('FORBIDDEN');
      const sha = (await h.gql('query($id: ID!) { dataset(id: $id) { latestContent { sha256 } } }', { id }, owner)).data
        .dataset.latestContent.sha256;
      expect((await h.gql('mutation($id: ID!) { deleteDataset(id: $id) }', { id }, owner)).data.deleteDataset).toBe(
        true,
      );
      expect(await h.built.store.has(sha)).toBe(false);
      expect((await h.gql(DATASET, { id }, owner)).errors?.[0].extensions.code).toBe('NOT_FOUND');
    });

    it('makes cross-organization access impossible, even with catalog:manage', async () => {
      const owner = await h.token({ org: 'org-x', perms: WRITER });
      const { id } = await createWithContent(
        h,
        owner,
        { name: 'public-x', format: 'CSV', classification: 'PUBLIC' },
        'a\n1\n',
      );
      const admin = await h.token({ org: 'org-y', perms: ALL_CATALOG });
      expect((await h.gql(DATASET, { id }, admin)).errors?.[0].extensions.code).toBe('NOT_FOUND');
      expect(
        (await h.gql('mutation($d: ID!) { requestAccess(datasetId: $d, level: READ) { id } }', { d: id }, admin))
          .errors?.[0].extensions.code,
      ).toBe('NOT_FOUND');
      expect(
        (
          await h.gql(
            'mutation($d: ID!) { grantAccess(datasetId: $d, subjectType: USER, subjectId: "me", level: OWNER) { id } }',
            { d: id },
            admin,
          )
        ).errors?.[0].extensions.code,
      ).toBe('NOT_FOUND');
      expect(
        (await h.gql('{ datasets(query: "public", first: 10) { totalCount } }', {}, admin)).data.datasets.totalCount,
      ).toBe(0);
      const res = await fetch(`${h.service.url}/internal/datasets/${id}`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(res.status).toBe(404);
      expect((await h.gql('{ datasets(first: 1) { totalCount } }', {})).errors?.[0].extensions.code).toBe(
        'UNAUTHENTICATED',
      );
    });
  });

  describe('quality', () => {
    it('runs rules on each new version and on demand, with history and a score', async () => {
      const token = await h.token({ org: 'org-q', perms: WRITER });
      const created = await h.gql(
        'mutation { createDataset(input: { name: "weather", format: CSV }) { id } }',
        {},
        token,
      );
      const id = created.data.createDataset.id;
      const add = (input: Record<string, unknown>) =>
        h.gql(
          'mutation($d: ID!, $i: QualityRuleInput!) { createQualityRule(datasetId: $d, input: $i) { id } }',
          { d: id, i: input },
          token,
        );
      await add({ type: 'columnValuesToBeNotNull', column: 'date' });
      await add({ type: 'columnValuesToBeUnique', column: 'date' });
      await add({ type: 'columnValuesToBeBetween', column: 'temp_max', minValue: -10, maxValue: 30 });
      await add({ type: 'columnValuesToMatchRegex', column: 'weather', regex: '^(drizzle|rain|sun|snow|fog)$' });
      await add({ type: 'tableRowCountToBeBetween', minValue: 1000 });
      const bad = await add({ type: 'columnValuesToMatchRegex', column: 'weather', regex: '[' });
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'regex' }] });
      await uploadVersion(h, token, id, weather, 'text/csv');
      const rows = weather
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      const hot = rows.filter((r) => Number(r[2]) > 30).length;
      const q =
        'query($id: ID!) { dataset(id: $id) { qualityScore qualityChecks { version trigger score rowCount results { type status failedRows } } } }';
      const first = (await h.gql(q, { id }, token)).data.dataset;
      expect(first.qualityChecks[0]).toMatchObject({ version: 1, trigger: 'NEW_VERSION', rowCount: rows.length });
      expect(first.qualityChecks[0].results.map((r: any) => [r.type, r.status, r.failedRows])).toEqual([
        ['columnValuesToBeNotNull', 'SUCCESS', 0],
        ['columnValuesToBeUnique', 'SUCCESS', 0],
        ['columnValuesToBeBetween', hot > 0 ? 'FAILED' : 'SUCCESS', hot],
        ['columnValuesToMatchRegex', 'SUCCESS', 0],
        ['tableRowCountToBeBetween', 'SUCCESS', 0],
      ]);
      expect(first.qualityScore).toBe(hot > 0 ? 80 : 100);
      await uploadVersion(h, token, id, weather.split('\n').slice(0, 11).join('\n'), 'text/csv');
      const manual = await h.gql(
        'mutation($d: ID!) { runQualityChecks(datasetId: $d) { trigger version score } }',
        { d: id },
        token,
      );
      expect(manual.data.runQualityChecks).toMatchObject({ trigger: 'MANUAL', version: 2 });
      const history = (await h.gql(q, { id }, token)).data.dataset;
      expect(history.qualityChecks.map((c: any) => [c.trigger, c.version, c.rowCount])).toEqual([
        ['MANUAL', 2, 10],
        ['NEW_VERSION', 2, 10],
        ['NEW_VERSION', 1, rows.length],
      ]);
      expect(history.qualityChecks[0].results.find((r: any) => r.type === 'tableRowCountToBeBetween').status).toBe(
        'FAILED',
      );
    });
  });

  describe('retention', () => {
    it('keeps the last N versions and deletes old contents on the schedule, recording it in the audit trail', async () => {
      const token = await h.token({ org: 'org-r', perms: [...WRITER, 'audit:read'] });
      const { id } = await createWithContent(h, token, { name: 'rolling', format: 'CSV' }, 'v\n1\n');
      await uploadVersion(h, token, id, 'v\n2\n', 'text/csv');
      await uploadVersion(h, token, id, 'v\n3\n', 'text/csv');
      const set = await h.gql(
        'mutation($d: ID!) { setRetentionPolicy(datasetId: $d, policy: { keepLast: 2 }) { retentionKeepLast versions { version contentDeletedAt } } }',
        { d: id },
        token,
      );
      expect(set.data.setRetentionPolicy.versions.map((v: any) => [v.version, v.contentDeletedAt !== null])).toEqual([
        [3, false],
        [2, false],
        [1, true],
      ]);
      const em = h.built.orm.em.fork();
      const v1 = await em.findOneOrFail(DatasetVersion, { datasetId: id, version: 1 });
      expect(await h.built.store.has(v1.sha256)).toBe(false);
      await h.gql(
        'mutation($d: ID!) { setRetentionPolicy(datasetId: $d, policy: { maxAgeDays: 30 }) { id } }',
        { d: id },
        token,
      );
      const later = new Date(Date.now() + 31 * 86_400_000);
      expect(await h.built.services.retention.apply(h.built.orm.em.fork(), { now: later })).toEqual([
        { datasetId: id, deletedVersions: [2] },
      ]);
      const audit = await h.gql(
        'query($id: ID) { auditEntries(datasetId: $id) { action actorId details } }',
        { id },
        token,
      );
      expect(
        audit.data.auditEntries.map((e: any) => [e.action, e.actorId === 'system', e.details.deletedVersions]),
      ).toEqual([
        ['RETENTION_APPLIED', true, [2]],
        ['RETENTION_APPLIED', false, [1]],
      ]);
      const preview = await h.gql('query($id: ID!) { dataset(id: $id) { preview { rows } } }', { id }, token);
      expect(preview.data.dataset.preview.rows).toEqual([{ v: '3' }]);
    });

    it('applies policies on the schedule', async () => {
      const token = await h.token({ org: 'org-r2', perms: WRITER });
      const { id } = await createWithContent(h, token, { name: 'scheduled', format: 'CSV' }, 'w\n1\n');
      await uploadVersion(h, token, id, 'w\n2\n', 'text/csv');
      const em = h.built.orm.em.fork();
      await em.nativeUpdate(Dataset, { id }, { retentionKeepLast: 1 });
      const schedule = new RetentionSchedule({
        orm: h.built.orm,
        retention: h.built.services.retention,
        logger: createLogger('catalog', 'silent'),
        intervalSeconds: 0.05,
      }).start();
      let deleted = false;
      for (let i = 0; i < 100 && !deleted; i += 1) {
        await new Promise((r) => setTimeout(r, 50));
        deleted =
          (await h.built.orm.em.fork().findOneOrFail(DatasetVersion, { datasetId: id, version: 1 })).contentDeletedAt !=
          null;
      }
      schedule.stop();
      expect(deleted).toBe(true);
    });
  });
});
