import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceTokenSource, loadArtifactStoreSettings } from '../../../lib/src/index';
import { createWithContent, startCatalog } from './catalog.harness';

// s3rver, an S3-compatible server, on a free port over a temporary folder (its fixed test credentials).
const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-catalog-s3-'));
let s3server: S3rver | undefined;
let s3Endpoint = '';
beforeAll(async () => {
  s3server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'artifacts' }],
  });
  const { port } = await s3server.run();
  s3Endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await s3server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('a subgraph on the S3 store', () => {
  it('catalog with AIC_ARTIFACT_STORE=s3 stores an upload in the bucket and serves it from there', async () => {
    // The SDK's default credential chain, as in production (here from the environment).
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = S3_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = S3_CREDENTIALS.secretAccessKey;
    const artifactStore = loadArtifactStoreSettings({
      AIC_ARTIFACT_STORE: 's3',
      AIC_S3_BUCKET: 'artifacts',
      AIC_S3_ENDPOINT: s3Endpoint,
    });
    const h = await startCatalog({ artifactStore });
    try {
      const csv = 'id,score\n1,0.5\n2,0.75\n3,0.25\n';
      const token = await h.token({ org: 'org-s3', perms: ['catalog:read', 'catalog:write'] });
      const { id, version } = await createWithContent(h, token, { name: 'on-s3', format: 'CSV' }, csv);
      expect(version).toMatchObject({ status: 'READY', rowCount: 3, sha256: sha(Buffer.from(csv)) });
      const s3 = new S3Client({
        endpoint: s3Endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: S3_CREDENTIALS,
      });
      const head = await s3.send(
        new HeadObjectCommand({
          Bucket: 'artifacts',
          Key: `catalog/sha256/${version.sha256.slice(0, 2)}/${version.sha256}`,
        }),
      );
      expect(head.ContentLength).toBe(Buffer.byteLength(csv));
      // Without the local copy, the content still comes back: from the bucket.
      fs.rmSync(h.built.store.pathOf(version.sha256));
      const tokens = createServiceTokenSource({
        identityUrl: h.issuer.url,
        service: 'synthetic',
        secret: h.issuer.serviceSecret,
      });
      const svc = await tokens.getToken('org-s3', ['catalog:read']);
      const content = await fetch(`${h.service.url}/internal/datasets/${id}/content`, {
        headers: { authorization: `Bearer ${svc}` },
      });
      expect(content.status).toBe(200);
      expect(content.headers.get('x-sha256')).toBe(version.sha256);
      expect(await content.text()).toBe(csv);
      // Gone from the bucket behind the service's back: a clean 404, and the service keeps serving.
      await s3.send(
        new DeleteObjectCommand({
          Bucket: 'artifacts',
          Key: `catalog/sha256/${version.sha256.slice(0, 2)}/${version.sha256}`,
        }),
      );
      const gone = await fetch(`${h.service.url}/internal/datasets/${id}/content`, {
        headers: { authorization: `Bearer ${svc}` },
      });
      expect(gone.status).toBe(404);
      expect(gone.headers.get('x-sha256')).toBeNull();
      expect((await h.gql('{ __typename }', {}, token)).status).toBe(200);
    } finally {
      await h.stop();
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  }, 60_000);
});
