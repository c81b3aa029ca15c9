import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Response } from 'express';
import { DomainError, NotFoundError } from './errors';
import { ensurePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tightenFile } from './private-files';

/** Bytes over the allowed size; HTTP routes answer 413. */
export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  constructor(maxBytes: number) {
    super('PAYLOAD_TOO_LARGE', `Content exceeds the limit of ${maxBytes} bytes`, { maxBytes });
  }
}

export interface StoredArtifact {
  sha256: string;
  size: number;
}

/** What a presigned URL allows: download (`GET`) or upload (`PUT`) of one artifact, for `expiresIn` seconds. */
export interface PresignOptions {
  method: 'GET' | 'PUT';
  /** Seconds the URL stays valid. @default 900 */
  expiresIn?: number;
}

/** Content-addressed storage (sha256): the same bytes are stored once. */
export interface ArtifactStore {
  /** Streams bytes in, hashing as they pass; over `maxBytes` aborts and keeps nothing. */
  put(
    source: Readable | AsyncIterable<Uint8Array> | Uint8Array | string,
    opts?: { maxBytes?: number },
  ): Promise<StoredArtifact>;
  open(sha256: string): Readable;
  read(sha256: string): Promise<Buffer>;
  has(sha256: string): Promise<boolean>;
  /**
   * Local path of an artifact (the filesystem store), for libraries that want a file. A remote store
   * answers its local copy's path: there is one for what this process stored or `localPath` fetched.
   */
  pathOf(sha256: string): string;
  /** A local file holding the artifact (a remote store downloads it first); NotFoundError when missing. */
  localPath(sha256: string): Promise<string>;
  delete(sha256: string): Promise<void>;
  /**
   * A URL that lets a plain HTTP client download or upload the artifact without this service in the
   * path; only backends that have them (S3, Azure Blob). A `PUT` writes under the key the hash names:
   * whoever receives the URL chooses the bytes, so check them (`read` + hash) before trusting them.
   */
  presign?(sha256: string, opts: PresignOptions): Promise<string>;
}

/** A sha256 as the stores name artifacts: 64 lowercase hex digits. */
export const SHA256_PATTERN = /^[a-f0-9]{64}$/;
const SHA = SHA256_PATTERN;

/**
 * The local filesystem store (the embedded default): `<dir>/sha256/ab/<hash>`, written through a
 * temporary file and renamed, so a reader never sees half an artifact.
 */
export function createFileArtifactStore(dir: string): ArtifactStore {
  const root = path.resolve(dir);
  const tmp = path.join(root, 'tmp');
  tightenStore(root, tmp);
  const pathOf = (sha256: string) => {
    if (!SHA.test(sha256)) throw new NotFoundError('Artifact', sha256);
    return path.join(root, 'sha256', sha256.slice(0, 2), sha256);
  };
  return {
    pathOf,
    async put(source, opts = {}) {
      const input =
        typeof source === 'string' || source instanceof Uint8Array ? Readable.from([Buffer.from(source)]) : source;
      const tmpFile = path.join(tmp, randomUUID());
      const hash = createHash('sha256');
      let size = 0;
      const out = fs.createWriteStream(tmpFile, { mode: PRIVATE_FILE_MODE });
      try {
        for await (const chunk of input as AsyncIterable<Uint8Array>) {
          size += chunk.length;
          if (opts.maxBytes !== undefined && size > opts.maxBytes) throw new PayloadTooLargeError(opts.maxBytes);
          hash.update(chunk);
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
        await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
        const sha256 = hash.digest('hex');
        const dest = pathOf(sha256);
        await fs.promises.mkdir(path.dirname(dest), { recursive: true, mode: PRIVATE_DIR_MODE });
        await fs.promises.rename(tmpFile, dest);
        return { sha256, size };
      } catch (err) {
        // The file is opened asynchronously: removed only once the stream has closed, or an open still
        // in flight would create it again after the removal.
        out.destroy();
        if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
        await fs.promises.rm(tmpFile, { force: true });
        throw err;
      }
    },
    open(sha256) {
      const p = pathOf(sha256);
      if (!fs.existsSync(p)) throw new NotFoundError('Artifact', sha256);
      return fs.createReadStream(p);
    },
    async read(sha256) {
      try {
        return await fs.promises.readFile(pathOf(sha256));
      } catch {
        throw new NotFoundError('Artifact', sha256);
      }
    },
    async has(sha256) {
      return SHA.test(sha256) && fs.existsSync(pathOf(sha256));
    },
    async localPath(sha256) {
      const p = pathOf(sha256);
      if (!fs.existsSync(p)) throw new NotFoundError('Artifact', sha256);
      return p;
    },
    async delete(sha256) {
      await fs.promises.rm(pathOf(sha256), { force: true });
    },
  };
}

/**
 * Sends an artifact stream as an HTTP response body. A remote store's stream fails asynchronously (a
 * missing artifact, a network error): before the first byte the content headers are dropped and `fail`
 * answers (e.g. 404 for NotFoundError); after it the response is cut, so the client sees it incomplete.
 */
export function pipeArtifact(stream: Readable, res: Response, fail: (err: unknown) => void): void {
  stream.once('error', (err) => {
    if (res.headersSent) {
      res.destroy(err);
      return;
    }
    for (const header of ['content-type', 'content-length', 'content-disposition', 'x-sha256'])
      res.removeHeader(header);
    fail(err);
  });
  stream.pipe(res);
}

/**
 * The store's folders are 0700 (made so, or tightened on boot: a store made before this rule, or
 * under a loose umask); files left in `tmp` are tightened too. Stored artifacts keep their mode:
 * nobody else can enter the folders that hold them.
 */
function tightenStore(root: string, tmp: string): void {
  ensurePrivateDir(root);
  ensurePrivateDir(tmp);
  for (const name of fs.readdirSync(tmp)) tightenFile(path.join(tmp, name));
  const byHash = path.join(root, 'sha256');
  if (!fs.existsSync(byHash)) return;
  ensurePrivateDir(byHash);
  for (const name of fs.readdirSync(byHash)) ensurePrivateDir(path.join(byHash, name));
}
