import type { Readable } from 'node:stream';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
  type ContainerClient,
} from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';

import type { ArtifactStore } from '../artifacts';
import { ConfigError } from '../env';
import { NotFoundError } from '../errors';
import { createRemoteArtifactStore, type ObjectBackend } from './remote';

export interface AzureBlobStoreOptions {
  container: string;
  /** Blob names start `<prefix>/` (the service's name): services sharing a container do not see each other's artifacts. */
  prefix: string;
  /** The local folder bytes pass through on the way up (and `pathOf` answers in). */
  localDir: string;
  /** Takes precedence over `accountUrl`: an account key (SAS URLs signed with it), Azurite, or a SAS. */
  connectionString?: string;
  /** `https://<account>.blob.core.windows.net`, signed in with `credential` or DefaultAzureCredential (@azure/identity). */
  accountUrl?: string;
  credential?: TokenCredential;
  /** Block size of uploads. @default 8 MiB */
  blockSize?: number;
}

/** The artifact store on Azure Blob Storage (block blobs; see createRemoteArtifactStore). */
export function createAzureBlobArtifactStore(opts: AzureBlobStoreOptions): ArtifactStore {
  let service: Promise<BlobServiceClient> | undefined;
  const serviceClient = () => (service ??= connect(opts));
  const container = async () => (await serviceClient()).getContainerClient(opts.container);
  return createRemoteArtifactStore(azureBackend(serviceClient, container, opts.blockSize ?? 8 * 1024 * 1024), opts);
}

async function connect(opts: AzureBlobStoreOptions): Promise<BlobServiceClient> {
  if (opts.connectionString) return BlobServiceClient.fromConnectionString(opts.connectionString);
  if (!opts.accountUrl)
    throw new ConfigError(
      'AIC_AZURE_STORAGE_ACCOUNT_URL or AIC_AZURE_STORAGE_CONNECTION_STRING is required for the Azure Blob artifact store',
    );
  return new BlobServiceClient(opts.accountUrl, opts.credential ?? (await defaultAzureCredential()));
}

/** DefaultAzureCredential (workload identity on AKS, managed identity, az login ...); loaded only when Azure Blob is chosen. */
async function defaultAzureCredential(): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential();
}

function isMissing(err: unknown): boolean {
  return (err as { statusCode?: number })?.statusCode === 404;
}

function azureBackend(
  serviceClient: () => Promise<BlobServiceClient>,
  container: () => Promise<ContainerClient>,
  blockSize: number,
): ObjectBackend {
  const blob = async (key: string) => (await container()).getBlockBlobClient(key);
  return {
    async upload(key, file) {
      await (await blob(key)).uploadFile(file, { blockSize, concurrency: 4 });
    },
    async download(key) {
      try {
        const res = await (await blob(key)).download();
        return res.readableStreamBody as Readable;
      } catch (err) {
        if (isMissing(err)) throw new NotFoundError('Artifact', key.slice(key.lastIndexOf('/') + 1));
        throw err;
      }
    },
    async exists(key) {
      return (await blob(key)).exists();
    },
    async remove(key) {
      await (await blob(key)).deleteIfExists();
    },
    async presign(key, { method, expiresIn }) {
      const client = await blob(key);
      // A few minutes of leeway for clocks behind ours.
      const startsOn = new Date(Date.now() - 5 * 60_000);
      const expiresOn = new Date(Date.now() + expiresIn * 1000);
      const permissions = BlobSASPermissions.parse(method === 'GET' ? 'r' : 'cw');
      if (client.credential instanceof StorageSharedKeyCredential)
        return client.generateSasUrl({ permissions, startsOn, expiresOn });
      // Signed in with Entra ID: a user delegation SAS (the identity needs the "Storage Blob Delegator" role).
      const svc = await serviceClient();
      const delegationKey = await svc.getUserDelegationKey(startsOn, expiresOn);
      const sas = generateBlobSASQueryParameters(
        { containerName: client.containerName, blobName: client.name, permissions, startsOn, expiresOn },
        delegationKey,
        svc.accountName,
      );
      return `${client.url}?${sas.toString()}`;
    },
  };
}
