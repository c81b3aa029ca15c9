import { PassThrough, pipeline, type Readable } from 'node:stream';
import type { ArtifactStore, PresignOptions } from '../artifacts';
import { createFileArtifactStore, SHA256_PATTERN } from '../artifacts';
import { NotFoundError } from '../errors';

/** What a remote backend (S3, Azure Blob) does with one object key; `download` throws NotFoundError when there is none. */
export interface ObjectBackend {
  upload(key: string, file: string, size: number): Promise<void>;
  download(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  remove(key: string): Promise<void>;
  presign?(key: string, opts: Required<PresignOptions> & { sha256: string }): Promise<string>;
}

/** The seconds a presigned URL lives unless asked otherwise. */
export const DEFAULT_PRESIGN_SECONDS = 900;

/**
 * An artifact store on a remote object store, keyed `<prefix>/sha256/ab/<hash>`. Bytes come in through
 * the local folder store at `localDir` (hashed on the way, the size limit applied there, so a refused
 * upload leaves nothing anywhere), then go up from that file. The local copy stays, for `pathOf`; reads,
 * `has` and downloads ask the remote store, which is the one that counts.
 */
export function createRemoteArtifactStore(
  backend: ObjectBackend,
  opts: { prefix: string; localDir: string },
): ArtifactStore {
  const local = createFileArtifactStore(opts.localDir);
  const prefix = opts.prefix.replace(/^\/+|\/+$/g, '');
  const keyOf = (sha256: string) => {
    if (!SHA256_PATTERN.test(sha256)) throw new NotFoundError('Artifact', sha256);
    return `${prefix ? `${prefix}/` : ''}sha256/${sha256.slice(0, 2)}/${sha256}`;
  };
  const store: ArtifactStore = {
    pathOf: (sha256) => local.pathOf(sha256),
    async put(source, putOpts = {}) {
      const stored = await local.put(source, putOpts);
      const key = keyOf(stored.sha256);
      if (!(await backend.exists(key))) await backend.upload(key, local.pathOf(stored.sha256), stored.size);
      return stored;
    },
    open(sha256) {
      const key = keyOf(sha256);
      // The interface answers a stream at once; a missing artifact fails it with NotFoundError.
      const out = new PassThrough();
      backend.download(key).then(
        // pipeline, not pipe: a reader that stops early (a preview of the first rows) also ends the
        // download, so its connection goes back to the pool instead of staying open, paused.
        (body) => pipeline(body, out, () => undefined),
        (err: unknown) => out.destroy(err as Error),
      );
      return out;
    },
    async read(sha256) {
      const body = await backend.download(keyOf(sha256));
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks);
    },
    async has(sha256) {
      return SHA256_PATTERN.test(sha256) && backend.exists(keyOf(sha256));
    },
    async localPath(sha256) {
      const key = keyOf(sha256);
      if (await local.has(sha256)) return local.pathOf(sha256);
      // Through the local store's put: the copy is checked against its hash and appears whole or not at all.
      const stored = await local.put(await backend.download(key));
      if (stored.sha256 !== sha256) {
        await local.delete(stored.sha256);
        throw new Error(`Artifact ${key} does not hash to its name (got ${stored.sha256})`);
      }
      return local.pathOf(sha256);
    },
    async delete(sha256) {
      await backend.remove(keyOf(sha256));
      await local.delete(sha256);
    },
  };
  if (backend.presign) {
    const presign = backend.presign.bind(backend);
    store.presign = (sha256, p) =>
      presign(keyOf(sha256), { method: p.method, expiresIn: p.expiresIn ?? DEFAULT_PRESIGN_SECONDS, sha256 });
  }
  return store;
}
