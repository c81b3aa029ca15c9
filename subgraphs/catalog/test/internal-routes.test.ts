import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceTokenSource } from '../../../lib/src/index';
import {
  OpenLineageEmitError,
  catalogDatasetRef,
  createOpenLineageEmitter,
} from '../../../lib/src/openlineage/emitter';
import type { CatalogHarness } from './catalog.harness';
import { ALL_CATALOG, READER, WRITER, startCatalog } from './catalog.harness';
import { DatasetVersion } from '../src/dataset/dataset-version.entity';
import { AuditEntry } from '../src/governance/audit-entry.entity';

let h: CatalogHarness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => h?.stop());

const csv = 'id,email,score\n1,ada@example.com,0.5\n2,alan@example.org,0.75\n3,grace@example.net,\n';

async function call(method: string, path: string, token: string, body?: unknown): Promise<Response> {
  return fetch(`${h.service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

describe('internal routes', () => {
  it('creates a dataset for a service token and serves its metadata and content', async () => {
    const tokens = createServiceTokenSource({
      identityUrl: h.issuer.url,
      service: 'synthetic',
      secret: h.issuer.serviceSecret,
    });
    const svc = await tokens.getToken('org-int', ['catalog:read', 'catalog:write', 'catalog:read-pii']);
    const created = await call('POST', '/internal/datasets', svc, {
      name: 'synthetic-output',
      format: 'CSV',
      content: csv,
      tags: ['synthetic'],
    });
    expect(created.status).toBe(201);
    const { id, version } = (await created.json()) as any;
    expect(version).toBe(1);
    const meta = (await (await call('GET', `/internal/datasets/${id}`, svc)).json()) as any;
    expect(meta).toMatchObject({
      id,
      organizationId: 'org-int',
      name: 'synthetic-output',
      format: 'CSV',
      classification: 'INTERNAL',
      columns: [
        { name: 'id', type: 'INTEGER', classification: 'INTERNAL' },
        { name: 'email', type: 'STRING', classification: 'PII' },
        { name: 'score', type: 'FLOAT', classification: 'INTERNAL' },
      ],
      latestVersion: { version: 1, size: Buffer.byteLength(csv), rowCount: 3 },
    });
    const content = await call('GET', `/internal/datasets/${id}/content`, svc);
    expect(content.headers.get('content-type')).toBe('text/csv');
    expect(content.headers.get('x-sha256')).toBe(meta.latestVersion.sha256);
    expect(await content.text()).toBe(csv);
    // PII content needs catalog:read-pii, and reads are audited.
    const plain = await tokens.getToken('org-int', ['catalog:read']);
    expect((await call('GET', `/internal/datasets/${id}/content`, plain)).status).toBe(403);
    const auditor = await h.token({ org: 'org-int', perms: ['audit:read'] });
    const audit = await h.gql('query($id: ID) { auditEntries(datasetId: $id) { action actorId } }', { id }, auditor);
    expect(audit.data.auditEntries).toEqual([{ action: 'PII_READ', actorId: 'service:synthetic' }]);
    const foreign = await tokens.getToken('org-int-2', ['catalog:read']);
    expect((await call('GET', `/internal/datasets/${id}`, foreign)).status).toBe(404);
  });

  it("reads only the columns a job uses, for the job's user, with PII rules on those columns only", async () => {
    const tokens = createServiceTokenSource({
      identityUrl: h.issuer.url,
      service: 'models',
      secret: h.issuer.serviceSecret,
    });
    const writer = await h.token({ org: 'org-cols', perms: WRITER });
    const created = await call('POST', '/internal/datasets', writer, {
      name: 'customers',
      format: 'CSV',
      content: csv,
    });
    const { id } = (await created.json()) as { id: string };
    // A delegated token of a training job whose user lacks catalog:read-pii.
    const job = await tokens.getToken('org-cols', ['catalog:read'], { onBehalfOf: 'user-cols' });
    const scoped = await call('GET', `/internal/datasets/${id}/content?column=score&column=id`, job);
    expect(scoped.status).toBe(200);
    expect(await scoped.text()).toBe('score,id\n0.5,1\n0.75,2\n,3\n');
    // The whole table, or the PII column, is refused by name: dataset, column and permission, no route or URL.
    for (const path of [
      `/internal/datasets/${id}/content`,
      `/internal/datasets/${id}/content?column=email&column=id`,
    ]) {
      const refused = await call('GET', path, job);
      expect(refused.status).toBe(403);
      const body = (await refused.json()) as { error: string };
      expect(body.error).toBe(
        'Reading column "email" of dataset "customers" (classified PII) needs the permission catalog:read-pii',
      );
    }
    const unknown = await call('GET', `/internal/datasets/${id}/content?column=income`, job);
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('income');
    // With the permission, the PII read is audited with the user and the acting service.
    const pii = await tokens.getToken('org-cols', ['catalog:read', 'catalog:read-pii'], { onBehalfOf: 'user-cols' });
    const read = await call('GET', `/internal/datasets/${id}/content?column=email`, pii);
    expect(await read.text()).toBe('email\nada@example.com\nalan@example.org\ngrace@example.net\n');
    const entries = await h.built.orm.em.fork().find(AuditEntry, { datasetId: id });
    expect(entries.map((e) => [e.action, e.actorId, e.details])).toEqual([
      ['PII_READ', 'user-cols', expect.objectContaining({ columns: ['email'], actingService: 'service:models' })],
    ]);
  });

  it('creates a dataset once per idempotency key, also when the calls race', async () => {
    const token = await h.token({ org: 'org-idem', perms: WRITER });
    const keyed = (key: string, name: string) =>
      fetch(`${h.service.url}/internal/datasets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ name, format: 'CSV', content: csv }),
      });
    const racing = await Promise.all([keyed('job-1', 'out-1'), keyed('job-1', 'out-1'), keyed('job-1', 'out-1')]);
    const texts = await Promise.all(racing.map((r) => r.clone().text()));
    expect(racing.map((r) => r.status).sort(), texts.join('\n')).toEqual([200, 200, 201]);
    const ids = await Promise.all(racing.map(async (r) => (await r.json()) as { id: string; version: number }));
    expect(new Set(ids.map((c) => c.id)).size).toBe(1);
    expect(ids.map((c) => c.version)).toEqual([1, 1, 1]);
    const later = await keyed('job-1', 'out-1');
    expect(later.status).toBe(200);
    expect(((await later.json()) as { id: string }).id).toBe(ids[0]!.id);
    expect(await h.built.orm.em.fork().count(DatasetVersion, { datasetId: ids[0]!.id })).toBe(1);
    // Another key is another dataset; its name must still be free.
    expect((await keyed('job-2', 'out-2')).status).toBe(201);
    expect((await keyed('job-3', 'out-1')).status).toBe(409);
    const empty = await keyed('', 'out-4');
    expect(empty.status).toBe(400);
  });

  it('refuses bad input without leaving a dataset behind', async () => {
    const token = await h.token({ org: 'org-int', perms: WRITER });
    const unreadable = '{"a":1}\n[2]\n';
    const bad = await call('POST', '/internal/datasets', token, {
      name: 'broken',
      format: 'JSONL',
      content: unreadable,
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).fields).toEqual([
      { field: 'content', message: 'line 2: each line must be a JSON object' },
    ]);
    // Neither the refused version nor its bytes stay.
    expect(
      await h.built.orm.em.fork().count(DatasetVersion, {
        organizationId: 'org-int',
        sha256: createHash('sha256').update(unreadable).digest('hex'),
      }),
    ).toBe(0);
    expect(await h.built.store.has(createHash('sha256').update(unreadable).digest('hex'))).toBe(false);
    // Content past the size limit (but within the body limit) is refused after the dataset was registered: it is undone too.
    const huge = await call('POST', '/internal/datasets', token, {
      name: 'huge',
      format: 'CSV',
      content: `a\n${'1\n'.repeat(2.5 * 1024 * 1024)}`,
    });
    expect(huge.status).toBe(413);
    expect(
      (await call('POST', '/internal/datasets', token, { name: 'huge', format: 'CSV', content: 'a\n1\n' })).status,
    ).toBe(201);
    expect(
      (await call('POST', '/internal/datasets', token, { name: 'broken', format: 'JSONL', content: '{"a":1}\n' }))
        .status,
    ).toBe(201);
    expect((await call('POST', '/internal/datasets', token, { name: 'x', format: 'XML', content: 'a' })).status).toBe(
      400,
    );
    expect(
      (
        await call('POST', '/internal/datasets', await h.token({ org: 'org-int', perms: READER }), {
          name: 'y',
          format: 'CSV',
          content: 'a\n1\n',
        })
      ).status,
    ).toBe(403);
    expect((await fetch(`${h.service.url}/internal/datasets/whatever`)).status).toBe(401);
  });
});

describe('OpenLineage emitter', () => {
  it('reports a run START -> COMPLETE and a FAIL with its error facet', async () => {
    const tokens = createServiceTokenSource({
      identityUrl: h.issuer.url,
      service: 'models',
      secret: h.issuer.serviceSecret,
    });
    const emitter = createOpenLineageEmitter({
      catalogUrl: h.service.url,
      producer: 'https://github.com/aic/platform/models',
      authorization: async (org) => `Bearer ${await tokens.getToken(org, ['catalog:write'])}`,
    });
    const datasetId = '8d7e6f5a-4b3c-4d2e-9f10-a1b2c3d4e5f6';
    const run = await emitter.startRun(
      'org-emit',
      { namespace: 'aic://models', name: 'training/churn' },
      { inputs: [catalogDatasetRef(datasetId)] },
    );
    await run.complete([{ namespace: 'aic://models', name: 'model-versions/churn-1' }]);
    const failed = await emitter.startRun(
      'org-emit',
      { namespace: 'aic://models', name: 'training/churn' },
      { inputs: [catalogDatasetRef(datasetId)] },
    );
    await failed.fail(new Error('out of memory'));
    const reader = await h.token({ org: 'org-emit', perms: ALL_CATALOG });
    const q = 'query($r: ID!) { lineageRun(runId: $r) { state inputs { name } outputs { name } facets } }';
    expect((await h.gql(q, { r: run.runId }, reader)).data.lineageRun).toMatchObject({
      state: 'COMPLETE',
      inputs: [{ name: `datasets/${datasetId}` }],
      outputs: [{ name: 'model-versions/churn-1' }],
    });
    const f = (await h.gql(q, { r: failed.runId }, reader)).data.lineageRun;
    expect(f.state).toBe('FAIL');
    expect(f.facets.errorMessage).toMatchObject({ message: 'out of memory', programmingLanguage: 'TypeScript' });
    const runs = await h.gql(
      '{ lineageRuns(namespace: "aic://models", name: "training/churn") { state } }',
      {},
      reader,
    );
    expect(runs.data.lineageRuns.map((r: any) => r.state).sort()).toEqual(['COMPLETE', 'FAIL']);
    const refused = createOpenLineageEmitter({
      catalogUrl: h.service.url,
      producer: 'https://example.com',
      authorization: async () => 'Bearer nope',
    });
    await expect(refused.startRun('org-emit', { namespace: 'a', name: 'b' })).rejects.toMatchObject({
      name: 'OpenLineageEmitError',
      status: 401,
    });
    await expect(refused.emit('org-emit', {} as any)).rejects.toBeInstanceOf(OpenLineageEmitError);
  });
});
