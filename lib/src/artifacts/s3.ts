import fs from 'node:fs';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { ArtifactStore } from '../artifacts';
import { NotFoundError } from '../errors';
import { createRemoteArtifactStore, type ObjectBackend } from './remote';

export interface S3StoreOptions {
  bucket: string;
  /** Keys start `<prefix>/` (the service's name): services sharing a bucket do not see each other's artifacts. */
  prefix: string;
  /** The local folder bytes pass through on the way up (and `pathOf` answers in). */
  localDir: string;
  /** An S3-compatible endpoint; unset means AWS S3. */
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  /** Static credentials (tests against a local server); unset means the SDK's default chain (env, IRSA web identity, instance role ...). */
  credentials?: S3ClientConfig['credentials'];
  /** Bodies larger than this go up as a multipart upload in parts of this size (≥ 5 MiB). @default 64 MiB */
  partSize?: number;
}

const MIN_PART = 5 * 1024 * 1024;

/** The artifact store on S3 or an S3-compatible server (see createRemoteArtifactStore). */
export function createS3ArtifactStore(opts: S3StoreOptions): ArtifactStore {
  const client = new S3Client({
    endpoint: opts.endpoint,
    // S3 needs a region to sign; an S3-compatible server rarely cares which.
    region: opts.region ?? (opts.endpoint ? 'us-east-1' : undefined),
    forcePathStyle: opts.forcePathStyle,
    credentials: opts.credentials,
    // Plain signed bodies: the stores this speaks to include S3-compatible servers without aws-chunked
    // trailing checksums, and a presigned URL must not carry a checksum of an empty body.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return createRemoteArtifactStore(
    s3Backend(client, opts.bucket, Math.max(MIN_PART, opts.partSize ?? 64 * 1024 * 1024)),
    opts,
  );
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

function s3Backend(client: S3Client, Bucket: string, partSize: number): ObjectBackend {
  return {
    async upload(Key, file, size) {
      if (size <= partSize) {
        await client.send(new PutObjectCommand({ Bucket, Key, Body: fs.createReadStream(file), ContentLength: size }));
        return;
      }
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      try {
        const parts: { ETag?: string; PartNumber: number }[] = [];
        for (let start = 0, PartNumber = 1; start < size; start += partSize, PartNumber++) {
          const length = Math.min(partSize, size - start);
          const body = fs.createReadStream(file, { start, end: start + length - 1 });
          const { ETag } = await client.send(
            new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: body, ContentLength: length }),
          );
          parts.push({ ETag, PartNumber });
        }
        await client.send(
          new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
        );
      } catch (err) {
        await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
        throw err;
      }
    },
    async download(Key) {
      try {
        const { Body } = await client.send(new GetObjectCommand({ Bucket, Key }));
        return Body as Readable;
      } catch (err) {
        if (isMissing(err)) throw new NotFoundError('Artifact', Key.slice(Key.lastIndexOf('/') + 1));
        throw err;
      }
    },
    async exists(Key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key }));
        return true;
      } catch (err) {
        if (isMissing(err)) return false;
        throw err;
      }
    },
    async remove(Key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key }));
    },
    async presign(Key, { method, expiresIn }) {
      const command = method === 'GET' ? new GetObjectCommand({ Bucket, Key }) : new PutObjectCommand({ Bucket, Key });
      return presignCommand(client, command, expiresIn);
    },
  };
}

interface SerializedRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
}

/**
 * A presigned URL for a command, without @aws-sdk/s3-request-presigner: the client serializes the
 * request as for sending (endpoint, path style, region), a middleware takes it just before signing and
 * the client's own SigV4 signer presigns it (query-string signature, unsigned payload).
 */
async function presignCommand(
  client: S3Client,
  command: GetObjectCommand | PutObjectCommand,
  expiresIn: number,
): Promise<string> {
  let url: string | undefined;
  (command.middlewareStack as unknown as { addRelativeTo(mw: unknown, opts: object): void }).addRelativeTo(
    (_next: unknown, context: Record<string, unknown>) => async (args: { request: SerializedRequest }) => {
      const request = args.request;
      for (const h of ['amz-sdk-invocation-id', 'amz-sdk-request', 'x-amz-user-agent', 'user-agent'])
        delete request.headers[h];
      request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      request.headers.host = `${request.hostname}${request.port ? `:${request.port}` : ''}`;
      const signer = await client.config.signer({} as never);
      const signingRegion = (context.signing_region as string | undefined) ?? (await client.config.region());
      const signed = (await (
        signer as unknown as { presign(r: SerializedRequest, o: object): Promise<SerializedRequest> }
      ).presign(request, {
        expiresIn,
        signingRegion,
        signingService: 's3',
        unsignableHeaders: new Set(['content-type']),
      })) as SerializedRequest;
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(signed.query ?? {})) {
        if (v === null) query.append(k, '');
        else for (const one of Array.isArray(v) ? v : [v]) query.append(k, one);
      }
      url = `${signed.protocol}//${signed.hostname}${signed.port ? `:${signed.port}` : ''}${signed.path}?${query.toString()}`;
      return { output: { $metadata: {} }, response: {} };
    },
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'aicPresignMiddleware', override: true },
  );
  await client.send(command as never);
  if (!url) throw new Error('S3 presigning produced no URL');
  return url;
}
