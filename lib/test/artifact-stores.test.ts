import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadTooLargeError, createFileArtifactStore, type ArtifactStore } from '../src/artifacts';
import { createAzureBlobArtifactStore } from '../src/artifacts/azure';
import { createArtifactStore } from '../src/artifacts/factory';
import { createS3ArtifactStore } from '../src/artifacts/s3';
import { ConfigError, loadArtifactStoreSettings } from '../src/env';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-stores-'));
const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
// Azurite's well-known development account (public, in Microsoft's docs).
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

let s3server: S3rver | undefined;
let s3Endpoint = '';
let azurite: ChildProcess | undefined;
let azureConnection = '';

/** Starts Azurite's blob server on a free port; @returns its blob endpoint (once it listens). */
async function startAzurite(location: string): Promise<{ child: ChildProcess; url: string }> {
  const bin = require.resolve('azurite/dist/src/blob/main.js');
  const child = spawn(
    process.execPath,
    [
      bin,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--silent',
    ],
    {
      cwd: location,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /successfully listens on (http:\/\/[^\s]+)/.exec(output);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`Azurite exited (${code}): ${output}`)));
  });
  return { child, url };
}

beforeAll(async () => {
  const s3dir = path.join(dir, 's3rver');
  fs.mkdirSync(s3dir);
  s3server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: s3dir,
    configureBuckets: [{ name: 'artifacts' }],
  });
  const { port } = await s3server.run();
  s3Endpoint = `http://127.0.0.1:${port}`;

  const azDir = path.join(dir, 'azurite');
  fs.mkdirSync(azDir);
  const started = await startAzurite(azDir);
  azurite = started.child;
  azureConnection = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${started.url}/${AZURITE_ACCOUNT};`;
  await BlobServiceClient.fromConnectionString(azureConnection).getContainerClient('artifacts').createIfNotExists();
}, 60_000);

afterAll(async () => {
  await s3server?.close();
  if (azurite && azurite.exitCode === null) {
    const exited = new Promise((resolve) => azurite!.once('exit', resolve));
    azurite.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Reads a stream to the end; an open that throws at once rejects the same way as one whose stream fails. */
async function drain(open: () => Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of open()) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const rfc3986 = (v: string) =>
  encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Checks a presigned URL's SigV4 query signature as S3 does (AWS's documented algorithm), for an unsigned payload. */
function sigV4QuerySignatureValid(url: URL, method: string, secret: string): boolean {
  const q = url.searchParams;
  const [, date, region, service] = (q.get('X-Amz-Credential') ?? '').split('/');
  if (date === undefined || region === undefined || service === undefined) return false;
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  const headers: Record<string, string> = { host: url.host };
  const query = [...q.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const canonical = [
    method,
    url.pathname,
    query,
    ...signedHeaders.map((h) => `${h}:${headers[h]}`),
    '',
    signedHeaders.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    q.get('X-Amz-Date'),
    `${date}/${region}/${service}/aws4_request`,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return hmac(key, stringToSign).toString('hex') === q.get('X-Amz-Signature');
}

let n = 0;
const localDir = () => path.join(dir, `local-${++n}`);

interface Backend {
  name: string;
  make(prefix: string, local: string): ArtifactStore;
  presigns: boolean;
}

const backends: Backend[] = [
  { name: 'file', make: (prefix, local) => createFileArtifactStore(path.join(local, prefix)), presigns: false },
  {
    name: 's3 (s3rver)',
    // A 5 MiB part size, so the multi-MB body below goes up as a multipart upload.
    make: (prefix, local) =>
      createS3ArtifactStore({
        bucket: 'artifacts',
        prefix,
        localDir: local,
        endpoint: s3Endpoint,
        forcePathStyle: true,
        credentials: S3_CREDENTIALS,
        partSize: 5 * 1024 * 1024,
      }),
    presigns: true,
  },
  {
    name: 'azure blob (Azurite)',
    make: (prefix, local) =>
      createAzureBlobArtifactStore({
        container: 'artifacts',
        prefix,
        localDir: local,
        connectionString: azureConnection,
        blockSize: 1024 * 1024,
      }),
    presigns: true,
  },
];

describe.each(backends)('artifact store contract: $name', (backend) => {
  it('round-trips binary data, a multi-MB body included, streamed in and out, and dedupes', async () => {
    const store = backend.make('svc-a', localDir());
    const small = randomBytes(1000);
    const big = randomBytes(12 * 1024 * 1024 + 17);
    const chunks = Array.from({ length: 13 }, (_, i) => big.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
    expect(await store.put(small)).toEqual({ sha256: sha(small), size: small.length });
    expect(await store.put(Readable.from(chunks))).toEqual({ sha256: sha(big), size: big.length });
    expect(await store.put(big)).toEqual({ sha256: sha(big), size: big.length });
    expect((await store.read(sha(small))).equals(small)).toBe(true);
    expect((await drain(() => store.open(sha(big)))).equals(big)).toBe(true);
    expect(await store.has(sha(big))).toBe(true);
    expect(fs.readFileSync(await store.localPath(sha(small))).equals(small)).toBe(true);
  }, 60_000);

  it('refuses a body over the size limit and keeps nothing of it', async () => {
    const local = localDir();
    const store = backend.make('svc-limit', local);
    const body = randomBytes(3 * 1024 * 1024);
    await expect(
      store.put(Readable.from([body.subarray(0, 2 * 1024 * 1024), body.subarray(2 * 1024 * 1024)]), {
        maxBytes: 2 * 1024 * 1024,
      }),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(await store.has(sha(body))).toBe(false);
    // Nothing half-written anywhere under the local folder either.
    const files = fs.readdirSync(local, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files).toEqual([]);
  });

  it('answers a missing artifact with NOT_FOUND, as the file store does', async () => {
    const store = backend.make('svc-missing', localDir());
    const missing = '0'.repeat(64);
    expect(await store.has(missing)).toBe(false);
    expect(await store.has('not-a-hash')).toBe(false);
    await expect(store.read(missing)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await expect(drain(() => store.open(missing))).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await expect(store.localPath(missing)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await expect(store.read('../../etc/passwd')).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });

  it('deletes', async () => {
    const store = backend.make('svc-delete', localDir());
    const bytes = randomBytes(5000);
    await store.put(bytes);
    await store.delete(sha(bytes));
    expect(await store.has(sha(bytes))).toBe(false);
    await expect(store.read(sha(bytes))).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await store.delete(sha(bytes));
  });

  it('keeps services apart: one service does not see or delete what another stored', async () => {
    const local = localDir();
    const a = backend.make('catalog', local);
    const b = backend.make('models', local);
    const bytes = randomBytes(2000);
    await a.put(bytes);
    expect(await b.has(sha(bytes))).toBe(false);
    await expect(b.read(sha(bytes))).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await b.put(bytes);
    await b.delete(sha(bytes));
    expect((await a.read(sha(bytes))).equals(bytes)).toBe(true);
  });

  if (!backend.presigns) {
    it('has no presigned URLs', () => {
      expect(backend.make('svc-presign', localDir()).presign).toBeUndefined();
    });
    return;
  }

  it('presigns GET and PUT URLs that work with plain fetch', async () => {
    const store = backend.make('svc-presign', localDir());
    const stored = randomBytes(300_000);
    await store.put(stored);
    const get = await fetch(await store.presign!(sha(stored), { method: 'GET', expiresIn: 60 }));
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(stored)).toBe(true);

    // A client uploads straight to the store; the service then finds it under its hash.
    const uploaded = randomBytes(200_000);
    const url = await store.presign!(sha(uploaded), { method: 'PUT', expiresIn: 60 });
    const put = await fetch(url, {
      method: 'PUT',
      body: uploaded,
      headers: backend.name.startsWith('azure') ? { 'x-ms-blob-type': 'BlockBlob' } : {},
    });
    expect(put.status).toBeLessThan(300);
    expect(await store.has(sha(uploaded))).toBe(true);
    expect((await store.read(sha(uploaded))).equals(uploaded)).toBe(true);

    // The URL is signed with the store's key and expires as asked; a tampered signature is refused.
    const genuine = new URL(await store.presign!(sha(stored), { method: 'GET', expiresIn: 60 }));
    const tampered = new URL(genuine);
    if (backend.name.startsWith('azure')) {
      expect(genuine.searchParams.get('sp')).toBe('r');
      tampered.searchParams.set('sig', Buffer.alloc(32).toString('base64'));
      expect((await fetch(tampered)).status).toBe(403);
    } else {
      // s3rver does not check SigV4 signatures: the test checks them itself, as S3 would.
      expect(genuine.searchParams.get('X-Amz-Expires')).toBe('60');
      expect(sigV4QuerySignatureValid(genuine, 'GET', S3_CREDENTIALS.secretAccessKey)).toBe(true);
      expect(sigV4QuerySignatureValid(new URL(url), 'PUT', S3_CREDENTIALS.secretAccessKey)).toBe(true);
      expect(sigV4QuerySignatureValid(genuine, 'PUT', S3_CREDENTIALS.secretAccessKey)).toBe(false);
      tampered.searchParams.set('X-Amz-Signature', '0'.repeat(64));
      expect(sigV4QuerySignatureValid(tampered, 'GET', S3_CREDENTIALS.secretAccessKey)).toBe(false);
    }
  }, 30_000);
});

describe('artifact store settings', () => {
  it('defaults to the local folder and names the variable that is wrong or missing', () => {
    expect(loadArtifactStoreSettings({})).toEqual({ kind: 'file' });
    expect(
      loadArtifactStoreSettings({ AIC_ARTIFACT_STORE: 's3', AIC_S3_BUCKET: 'b', AIC_S3_ENDPOINT: 'http://minio:9000' }),
    ).toEqual({
      kind: 's3',
      bucket: 'b',
      endpoint: 'http://minio:9000',
      region: undefined,
      forcePathStyle: true,
    });
    expect(
      loadArtifactStoreSettings({ AIC_ARTIFACT_STORE: 's3', AIC_S3_BUCKET: 'b', AIC_S3_REGION: 'eu-west-1' }),
    ).toMatchObject({ forcePathStyle: false, region: 'eu-west-1' });
    expect(() => loadArtifactStoreSettings({ AIC_ARTIFACT_STORE: 'ftp' })).toThrow(/AIC_ARTIFACT_STORE/);
    expect(() => loadArtifactStoreSettings({ AIC_ARTIFACT_STORE: 's3' })).toThrow(/AIC_S3_BUCKET/);
    expect(() =>
      loadArtifactStoreSettings({ AIC_ARTIFACT_STORE: 's3', AIC_S3_BUCKET: 'b', AIC_S3_ENDPOINT: 'minio:9000' }),
    ).toThrow(/AIC_S3_ENDPOINT/);
    expect(() =>
      loadArtifactStoreSettings({ AIC_ARTIFACT_STORE: 's3', AIC_S3_BUCKET: 'b', AIC_S3_FORCE_PATH_STYLE: 'maybe' }),
    ).toThrow(/AIC_S3_FORCE_PATH_STYLE/);
    expect(() => loadArtifactStoreSettings({ AIC_ARTIFACT_STORE: 'azure', AIC_AZURE_STORAGE_CONTAINER: 'c' })).toThrow(
      /AIC_AZURE_STORAGE_ACCOUNT_URL/,
    );
    expect(() =>
      loadArtifactStoreSettings({
        AIC_ARTIFACT_STORE: 'azure',
        AIC_AZURE_STORAGE_ACCOUNT_URL: 'https://a.blob.core.windows.net',
      }),
    ).toThrow(ConfigError);
    expect(() =>
      loadArtifactStoreSettings({
        AIC_ARTIFACT_STORE: 'azure',
        AIC_AZURE_STORAGE_ACCOUNT_URL: 'https://a.blob.core.windows.net',
      }),
    ).toThrow(/AIC_AZURE_STORAGE_CONTAINER/);
  });

  it('the factory builds the chosen backend', async () => {
    const local = localDir();
    const file = createArtifactStore({}, 'svc', local);
    expect(file.presign).toBeUndefined();
    const bytes = randomBytes(100);
    await file.put(bytes);
    expect(file.pathOf(sha(bytes)).startsWith(local)).toBe(true);
    const azure = createArtifactStore(
      { artifactStore: { kind: 'azure', container: 'artifacts', connectionString: azureConnection } },
      'svc-factory',
      localDir(),
    );
    await azure.put(bytes);
    const blobs: string[] = [];
    for await (const b of BlobServiceClient.fromConnectionString(azureConnection)
      .getContainerClient('artifacts')
      .listBlobsFlat({ prefix: 'svc-factory/' }))
      blobs.push(b.name);
    expect(blobs).toEqual([`svc-factory/sha256/${sha(bytes).slice(0, 2)}/${sha(bytes)}`]);
  });
});
