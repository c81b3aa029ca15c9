import type { ArtifactStore } from '../artifacts';
import { createFileArtifactStore } from '../artifacts';
import type { BaseServiceConfig } from '../env';
import { createAzureBlobArtifactStore } from './azure';
import { createS3ArtifactStore } from './s3';

/**
 * The service's artifact store, as `config.artifactStore` (`AIC_ARTIFACT_STORE`) chooses: the local
 * folder `localDir` (default), or S3 / Azure Blob under the key prefix `<service>/`, with `localDir` as
 * the folder bytes pass through on the way up.
 */
export function createArtifactStore(
  config: Pick<BaseServiceConfig, 'artifactStore'>,
  service: string,
  localDir: string,
): ArtifactStore {
  const settings = config.artifactStore ?? { kind: 'file' };
  switch (settings.kind) {
    case 'file':
      return createFileArtifactStore(localDir);
    case 's3':
      return createS3ArtifactStore({ ...settings, prefix: service, localDir });
    case 'azure':
      return createAzureBlobArtifactStore({ ...settings, prefix: service, localDir });
  }
}
