import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gql } from '../../../../lib/src/testing/harness';
import type { TestIssuer } from '../../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../../lib/src/testing/test-issuer';
import { REPO_ROOT } from '../reference/datasets';
import type { ModelsUnderTest } from './models-harness';
import { modelsTestConfig, startModels } from './models-harness';

const SILERO = readFileSync(path.join(REPO_ROOT, 'node_modules', '@ricky0123', 'vad-node', 'dist', 'silero_vad.onnx'));
const ORG = 'org-registry';

let issuer: TestIssuer;
let models: ModelsUnderTest;
let engineer: string;
let viewer: string;

async function upload(bytes: Uint8Array, token: string, filename = 'model.onnx'): Promise<string> {
  const ticket = await gql(
    models.service.graphqlUrl,
    'mutation($f: String!) { createModelUpload(input: { filename: $f }) { id url token maxBytes } }',
    { f: filename },
    token,
  );
  const { id, token: uploadToken } = ticket.data.createModelUpload;
  // The gateway proxies /uploads/models/<id> to this route; tests PUT to the service directly.
  const put = await fetch(`${models.service.url}/uploads/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${uploadToken}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  expect(put.status).toBe(201);
  return id;
}

async function createModel(name: string): Promise<string> {
  const res = await gql(
    models.service.graphqlUrl,
    'mutation($n: String!) { createModel(input: { name: $n, description: "VAD" }) { id } }',
    { n: name },
    engineer,
  );
  return res.data.createModel.id;
}

const VERSION_FIELDS =
  'id version source uri artifact { sha256 size format } signature { irVersion inputs { name elementType shape { size symbol } } outputs { name elementType shape { size symbol } } }';

beforeAll(async () => {
  issuer = await startTestIssuer();
  models = await startModels(modelsTestConfig(issuer));
  engineer = await issuer.issue({
    sub: 'user-engineer',
    org: ORG,
    roles: ['ml-engineer'],
    perms: ['models:read', 'models:write', 'models:train', 'models:promote'],
  });
  viewer = await issuer.issue({ sub: 'user-viewer', org: ORG, roles: ['viewer'], perms: ['models:read'] });
});

afterAll(async () => {
  await models?.service.stop();
  await issuer?.close();
});

describe('model registry', () => {
  test('an uploaded Silero VAD becomes version 1 with its signature read from the file', async () => {
    const modelId = await createModel('silero-vad');
    const uploadId = await upload(SILERO, engineer, 'silero_vad.onnx');
    const res = await gql(
      models.service.graphqlUrl,
      `mutation($m: ID!, $u: ID!) { createModelVersion(input: { modelId: $m, uploadId: $u, metrics: { auc: 0.9 } }) { ${VERSION_FIELDS} metrics } }`,
      { m: modelId, u: uploadId },
      engineer,
    );
    expect(res.errors).toBeUndefined();
    const v = res.data.createModelVersion;
    expect(v.version).toBe(1);
    expect(v.source).toBe('UPLOAD');
    expect(v.uri).toBe('models:/silero-vad/1');
    expect(v.metrics).toEqual({ auc: 0.9 });
    expect(v.artifact).toEqual({
      sha256: createHash('sha256').update(SILERO).digest('hex'),
      size: SILERO.length,
      format: 'ONNX',
    });
    const dyn = (s: string) => ({ size: null, symbol: s });
    const fixed = (n: number) => ({ size: n, symbol: null });
    expect(v.signature.irVersion).toBe(8);
    expect(v.signature.inputs).toEqual([
      { name: 'input', elementType: 'FLOAT', shape: [dyn('batch'), dyn('sequence')] },
      { name: 'sr', elementType: 'INT64', shape: [] },
      { name: 'h', elementType: 'FLOAT', shape: [fixed(2), dyn('batch'), fixed(64)] },
      { name: 'c', elementType: 'FLOAT', shape: [fixed(2), dyn('batch'), fixed(64)] },
    ]);
    expect(v.signature.outputs.map((o: { name: string }) => o.name)).toEqual(['output', 'hn', 'cn']);

    const internal = await fetch(`${models.service.url}/internal/model-versions/${v.id}`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(internal.status).toBe(200);
    expect(await internal.json()).toMatchObject({
      id: v.id,
      modelId,
      modelName: 'silero-vad',
      version: 1,
      organizationId: ORG,
      artifact: { sha256: v.artifact.sha256, size: SILERO.length, format: 'ONNX' },
    });
    const bytes = Buffer.from(
      await (
        await fetch(`${models.service.url}/internal/model-versions/${v.id}/artifact`, {
          headers: { authorization: `Bearer ${viewer}` },
        })
      ).arrayBuffer(),
    );
    expect(bytes.equals(SILERO)).toBe(true);
    const otherOrg = await issuer.issue({ org: 'org-elsewhere', perms: ['models:read'] });
    expect(
      (
        await fetch(`${models.service.url}/internal/model-versions/${v.id}`, {
          headers: { authorization: `Bearer ${otherOrg}` },
        })
      ).status,
    ).toBe(404);
    expect((await fetch(`${models.service.url}/internal/model-versions/${v.id}`)).status).toBe(401);

    const download = await gql(
      models.service.graphqlUrl,
      'mutation($id: ID!) { createModelVersionDownload(id: $id) { url sha256 } }',
      { id: v.id },
      viewer,
    );
    const token = download.data.createModelVersionDownload.url.split('/').pop();
    const downloaded = Buffer.from(await (await fetch(`${models.service.url}/downloads/${token}`)).arrayBuffer());
    expect(downloaded.equals(SILERO)).toBe(true);
  });

  test.each([
    ['random bytes', () => randomBytes(20_000)],
    ['a truncated Silero model', () => SILERO.subarray(0, 500_000)],
  ])('%s is refused with BAD_USER_INPUT and nothing is stored', async (_name, bytes) => {
    const modelId = await createModel(`corrupt-${randomBytes(4).toString('hex')}`);
    const content = bytes();
    const sha = createHash('sha256').update(content).digest('hex');
    const uploadId = await upload(content, engineer);
    expect(await models.built.store.has(sha)).toBe(true);
    const res = await gql(
      models.service.graphqlUrl,
      'mutation($m: ID!, $u: ID!) { createModelVersion(input: { modelId: $m, uploadId: $u }) { id } }',
      { m: modelId, u: uploadId },
      engineer,
    );
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].extensions.fields[0].field).toBe('uploadId');
    expect(await models.built.store.has(sha)).toBe(false);
    const model = await gql(
      models.service.graphqlUrl,
      'query($id: ID!) { model(id: $id) { latestVersionNumber versions { id } } }',
      { id: modelId },
      viewer,
    );
    expect(model.data.model).toEqual({ latestVersionNumber: 0, versions: [] });
  });

  test('aliases: a viewer is FORBIDDEN, moves are audited exactly, and models:/name@alias resolves', async () => {
    const modelId = await createModel('aliased');
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await gql(
        models.service.graphqlUrl,
        'mutation($m: ID!, $u: ID!) { createModelVersion(input: { modelId: $m, uploadId: $u }) { id version } }',
        { m: modelId, u: await upload(SILERO, engineer) },
        engineer,
      );
      expect(res.data.createModelVersion.version).toBe(i + 1);
      ids.push(res.data.createModelVersion.id);
    }
    const set =
      'mutation($m: ID!, $a: String!, $v: ID!, $r: String) { setModelAlias(input: { modelId: $m, alias: $a, versionId: $v, reason: $r }) { name version } }';
    const denied = await gql(models.service.graphqlUrl, set, { m: modelId, a: 'production', v: ids[0] }, viewer);
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect(
      (await gql(models.service.graphqlUrl, set, { m: modelId, a: 'production', v: ids[0], r: 'first' }, engineer)).data
        .setModelAlias,
    ).toEqual({ name: 'production', version: 1 });
    expect(
      (await gql(models.service.graphqlUrl, set, { m: modelId, a: 'champion', v: ids[1] }, engineer)).errors,
    ).toBeUndefined();
    expect(
      (await gql(models.service.graphqlUrl, set, { m: modelId, a: 'production', v: ids[1], r: 'better' }, engineer))
        .data.setModelAlias.version,
    ).toBe(2);
    const removed = await gql(
      models.service.graphqlUrl,
      'mutation($m: ID!) { deleteModelAlias(modelId: $m, alias: "champion") }',
      { m: modelId },
      engineer,
    );
    expect(removed.data.deleteModelAlias).toBe(true);
    expect(
      (
        await gql(
          models.service.graphqlUrl,
          'mutation($m: ID!) { deleteModelAlias(modelId: $m, alias: "champion") }',
          { m: modelId },
          viewer,
        )
      ).errors?.[0].extensions.code,
    ).toBe('FORBIDDEN');

    const history = await gql(
      models.service.graphqlUrl,
      'query($id: ID!) { model(id: $id) { aliases { name version } aliasHistory { sequence alias fromVersion toVersion fromVersionId toVersionId actorKind reason actor { id } } } }',
      { id: modelId },
      viewer,
    );
    expect(history.data.model.aliases).toEqual([{ name: 'production', version: 2 }]);
    expect(history.data.model.aliasHistory).toEqual([
      {
        sequence: 1,
        alias: 'production',
        fromVersion: null,
        toVersion: 1,
        fromVersionId: null,
        toVersionId: ids[0],
        actorKind: 'user',
        reason: 'first',
        actor: { id: 'user-engineer' },
      },
      {
        sequence: 2,
        alias: 'champion',
        fromVersion: null,
        toVersion: 2,
        fromVersionId: null,
        toVersionId: ids[1],
        actorKind: 'user',
        reason: null,
        actor: { id: 'user-engineer' },
      },
      {
        sequence: 3,
        alias: 'production',
        fromVersion: 1,
        toVersion: 2,
        fromVersionId: ids[0],
        toVersionId: ids[1],
        actorKind: 'user',
        reason: 'better',
        actor: { id: 'user-engineer' },
      },
      {
        sequence: 4,
        alias: 'champion',
        fromVersion: 2,
        toVersion: null,
        fromVersionId: ids[1],
        toVersionId: null,
        actorKind: 'user',
        reason: null,
        actor: { id: 'user-engineer' },
      },
    ]);

    const resolve = (uri: string) =>
      gql(
        models.service.graphqlUrl,
        'query($u: String!) { resolveModelUri(uri: $u) { id version } }',
        { u: uri },
        viewer,
      );
    expect((await resolve('models:/aliased@production')).data.resolveModelUri).toEqual({ id: ids[1], version: 2 });
    expect((await resolve('models:/aliased/1')).data.resolveModelUri).toEqual({ id: ids[0], version: 1 });
    expect((await resolve('models:/aliased/latest')).data.resolveModelUri.version).toBe(2);
    expect((await resolve('models:/aliased@champion')).errors?.[0].extensions.code).toBe('NOT_FOUND');
    expect((await resolve('models:aliased')).errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  test('model names are unique per organization', async () => {
    await createModel('unique-name');
    const again = await gql(
      models.service.graphqlUrl,
      'mutation { createModel(input: { name: "unique-name" }) { id } }',
      {},
      engineer,
    );
    expect(again.errors?.[0].extensions.code).toBe('CONFLICT');
    const bad = await gql(
      models.service.graphqlUrl,
      'mutation { createModel(input: { name: "a/b" }) { id } }',
      {},
      engineer,
    );
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'name' }] });
  });
});
