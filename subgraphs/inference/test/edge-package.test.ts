import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDenseSigmoidModel } from './support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  type InferenceHarness,
} from './support/inference.harness';

let h: InferenceHarness;
let admin: string;
let versionId: string;
const bytes = buildDenseSigmoidModel(
  [
    [1, -1],
    [0.5, 2],
  ],
  [0.25, -0.25],
);

beforeAll(async () => {
  h = await startInferenceHarness();
  admin = await h.token(ALL_INFERENCE);
  versionId = h.platform.addModel({ organizationId: h.org, modelName: 'edge-dense', version: 3, bytes }).id;
});
afterAll(() => h?.close());

describe('exportEdgePackage', () => {
  it('bundles model, signature, manifest and a loader that runs offline with the same answers', async () => {
    const res = await h.gql(
      'mutation($v: ID!) { exportEdgePackage(modelVersion: $v) { modelVersion { id } sha256 size downloadUrl files manifest } }',
      { v: versionId },
      admin,
    );
    expect(res.errors).toBeUndefined();
    const pkg = res.data.exportEdgePackage;
    expect(pkg.files).toEqual([
      'model.onnx',
      'signature.json',
      'manifest.json',
      'loader.mjs',
      'package.json',
      'README.md',
    ]);
    expect(pkg.manifest.artifact).toMatchObject({
      file: 'model.onnx',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.byteLength,
      irVersion: 7,
      opsets: [{ domain: 'ai.onnx', version: 13 }],
    });
    expect(pkg.downloadUrl).toMatch(/^http:\/\/localhost:4000\/downloads\/inference\//);
    const token = pkg.downloadUrl.split('/downloads/inference/')[1];
    const download = await fetch(`${h.service.url}/downloads/${token}`);
    expect(download.status).toBe(200);
    const tgz = Buffer.from(await download.arrayBuffer());
    expect(createHash('sha256').update(tgz).digest('hex')).toBe(pkg.sha256);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-edge-'));
    try {
      fs.writeFileSync(path.join(dir, 'bundle.tar.gz'), tgz);
      const untar = spawnSync('tar', ['-xzf', 'bundle.tar.gz'], { cwd: dir, encoding: 'utf8' });
      expect(untar.status, untar.stderr).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'model.onnx')).equals(Buffer.from(bytes))).toBe(true);
      const request = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [0.5, 1] }] };
      fs.writeFileSync(path.join(dir, 'request.json'), JSON.stringify(request));
      const nodeModules = path.dirname(path.dirname(require.resolve('onnxruntime-node/package.json')));
      fs.symlinkSync(nodeModules, path.join(dir, 'node_modules'));
      const run = spawnSync(process.execPath, ['loader.mjs', 'request.json'], { cwd: dir, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const offline = JSON.parse(run.stdout);
      expect(offline.engine).toBe('onnxruntime-node');

      const created = await h.gql(
        'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
        { i: { name: 'edge-check', routes: [{ modelVersion: versionId, weight: 1 }] } },
        admin,
      );
      await settledEndpoint(h, created.data.createEndpoint.id, admin);
      const online = await h.gql(
        'mutation($i: PredictInput!) { predict(input: $i) { outputs { name datatype shape data } } }',
        { i: { endpoint: 'edge-check', ...request } },
        admin,
      );
      expect(offline.outputs).toEqual(online.data.predict.outputs);

      fs.writeFileSync(path.join(dir, 'model.onnx'), Buffer.from('tampered'));
      const tampered = spawnSync(process.execPath, ['loader.mjs', 'request.json'], { cwd: dir, encoding: 'utf8' });
      expect(tampered.status).not.toBe(0);
      expect(tampered.stderr).toContain('does not match the manifest');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs inference:manage and refuses versions of another organization', async () => {
    const denied = await h.gql(
      'mutation($v: ID!) { exportEdgePackage(modelVersion: $v) { sha256 } }',
      { v: versionId },
      await h.token(['inference:read', 'inference:invoke']),
    );
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const other = await h.gql(
      'mutation($v: ID!) { exportEdgePackage(modelVersion: $v) { sha256 } }',
      { v: versionId },
      await h.token(ALL_INFERENCE, 'org-elsewhere'),
    );
    expect(other.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });
});
