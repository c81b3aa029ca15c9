import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type express from 'express';
import type { ArtifactStore } from './artifacts';
import { PayloadTooLargeError, pipeArtifact } from './artifacts';
import { NotFoundError } from './errors';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './private-files';
import type { UploadTicket } from './upload-ticket.type';

/** A finished upload: what later mutations reference by `id`. */
export interface UploadRecord {
  id: string;
  purpose: string;
  filename: string;
  contentType?: string;
  organizationId: string;
  userId: string;
  sha256: string;
  size: number;
  completedAt: string;
}

export interface UploadManagerOptions {
  /** The service name: URLs are `<publicUrl>/uploads/<service>/<id>` on the gateway's origin. */
  service: string;
  publicUrl: string;
  store: ArtifactStore;
  /** Where upload records are kept (next to the artifacts in the embedded default). */
  recordDir: string;
  /** HMAC key for upload/download tokens; shared by replicas. Unset: a random key per process. */
  secret?: string;
  maxBytes: number;
  /** @default 900 */
  ttlSeconds?: number;
}

interface TokenPayload {
  t: 'u' | 'd';
  id: string;
  org: string;
  sub: string;
  exp: number;
  purpose?: string;
  filename?: string;
  contentType?: string;
  max?: number;
  sha?: string;
}

export interface UploadManager {
  /** A short-lived ticket the client PUTs bytes with. */
  create(input: {
    purpose: string;
    filename: string;
    contentType?: string;
    organizationId: string;
    userId: string;
    maxBytes?: number;
  }): UploadTicket;
  /** @returns the finished upload of that organization, or null (unknown, unfinished or another org's) */
  get(id: string, organizationId: string): Promise<UploadRecord | null>;
  /** A short-lived download URL for stored bytes. */
  issueDownload(input: {
    sha256: string;
    filename: string;
    contentType?: string;
    organizationId: string;
    userId: string;
  }): { url: string; expiresAt: Date };
  /** Mounts `PUT /uploads/:id` and `GET /downloads/:token` on the service. */
  mount(app: express.Express): void;
}

/**
 * The presigned-URL pattern (ARCHITECTURE.md, Uploads) as mechanism: HMAC-signed single-use upload
 * tickets, streamed bytes into the content-addressed store with a size limit, and signed downloads.
 */
export function createUploadManager(opts: UploadManagerOptions): UploadManager {
  const key = opts.secret ? Buffer.from(opts.secret) : randomBytes(32);
  const ttl = (opts.ttlSeconds ?? 900) * 1000;
  ensurePrivateDir(opts.recordDir);
  const recordPath = (id: string) => path.join(opts.recordDir, `${id.replace(/[^a-zA-Z0-9-]/g, '')}.json`);

  const sign = (p: TokenPayload) => {
    const body = Buffer.from(JSON.stringify(p)).toString('base64url');
    return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
  };
  const verify = (token: string, kind: 'u' | 'd'): TokenPayload | null => {
    const [body, mac] = token.split('.');
    if (!body || !mac) return null;
    const expected = createHmac('sha256', key).update(body).digest();
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const p = JSON.parse(Buffer.from(body, 'base64url').toString()) as TokenPayload;
    return p.t === kind && p.exp > Date.now() ? p : null;
  };

  return {
    create(input) {
      const id = randomUUID();
      const maxBytes = Math.min(input.maxBytes ?? opts.maxBytes, opts.maxBytes);
      const expiresAt = new Date(Date.now() + ttl);
      const token = sign({
        t: 'u',
        id,
        org: input.organizationId,
        sub: input.userId,
        exp: expiresAt.getTime(),
        purpose: input.purpose,
        filename: input.filename,
        contentType: input.contentType,
        max: maxBytes,
      });
      return { id, token, expiresAt, maxBytes, url: `${opts.publicUrl}/uploads/${opts.service}/${id}` };
    },
    async get(id, organizationId) {
      try {
        const rec = JSON.parse(await fs.promises.readFile(recordPath(id), 'utf8')) as UploadRecord;
        return rec.organizationId === organizationId ? rec : null;
      } catch {
        return null;
      }
    },
    issueDownload(input) {
      const expiresAt = new Date(Date.now() + ttl);
      const token = sign({
        t: 'd',
        id: randomUUID(),
        org: input.organizationId,
        sub: input.userId,
        exp: expiresAt.getTime(),
        sha: input.sha256,
        filename: input.filename,
        contentType: input.contentType,
      });
      return { url: `${opts.publicUrl}/downloads/${opts.service}/${token}`, expiresAt };
    },
    mount(app) {
      app.put('/uploads/:id', async (req, res) => {
        const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
        const p = m ? verify(m[1]!, 'u') : null;
        if (!p || p.id !== req.params.id) {
          res.status(401).json({ error: 'Invalid or expired upload token' });
          return;
        }
        const declared = Number(req.headers['content-length'] ?? NaN);
        if (Number.isFinite(declared) && declared > (p.max ?? opts.maxBytes)) {
          res.status(413).json({ error: `Content exceeds the limit of ${p.max} bytes` });
          req.resume();
          return;
        }
        const file = recordPath(p.id);
        // `wx` makes the ticket single-use even when two PUTs race.
        let claim: fs.promises.FileHandle;
        try {
          claim = await fs.promises.open(`${file}.lock`, 'wx', PRIVATE_FILE_MODE);
        } catch {
          res.status(409).json({ error: 'This upload was already used' });
          req.resume();
          return;
        }
        try {
          const stored = await opts.store.put(req, { maxBytes: p.max ?? opts.maxBytes });
          const rec: UploadRecord = {
            id: p.id,
            purpose: p.purpose ?? '',
            filename: p.filename ?? 'upload',
            contentType: p.contentType,
            organizationId: p.org,
            userId: p.sub,
            sha256: stored.sha256,
            size: stored.size,
            completedAt: new Date().toISOString(),
          };
          await fs.promises.writeFile(file, JSON.stringify(rec), { mode: PRIVATE_FILE_MODE });
          res.status(201).json({ id: rec.id, sha256: rec.sha256, size: rec.size });
        } catch (err) {
          await claim.close();
          await fs.promises.rm(`${file}.lock`, { force: true });
          if (err instanceof PayloadTooLargeError) {
            res.status(413).json({ error: err.message });
            req.resume();
          } else res.status(400).json({ error: 'Upload failed' });
          return;
        }
        await claim.close();
      });
      app.get('/downloads/:token', (req, res) => {
        const p = verify(req.params.token, 'd');
        if (!p?.sha) {
          res.status(401).json({ error: 'Invalid or expired download token' });
          return;
        }
        let stream;
        try {
          stream = opts.store.open(p.sha);
        } catch {
          res.status(404).json({ error: 'Not found' });
          return;
        }
        res.setHeader('content-type', p.contentType ?? 'application/octet-stream');
        res.setHeader('content-disposition', `attachment; filename="${(p.filename ?? 'download').replace(/"/g, '')}"`);
        res.setHeader('x-sha256', p.sha);
        pipeArtifact(stream, res, (err) =>
          res
            .status(err instanceof NotFoundError ? 404 : 502)
            .json({ error: err instanceof NotFoundError ? 'Not found' : 'Artifact store unavailable' }),
        );
      });
    },
  };
}
