import type { EntityManager } from '@mikro-orm/core';
import type { ArtifactStore, ServiceTokenSource } from '../../../../lib/src/index';
import type { InternalModelVersion } from '../../../../lib/contracts/index';
import { ModelsInternalClient } from '../../../../lib/contracts/index';
import { DomainError } from '../../../../lib/src/index';
import type { CachedModelVersion } from './cached-model-version.entity';
import type { CachedModelVersionRepository } from './cached-model-version.repository';

export interface ModelArtifactSourceDeps {
  versions: CachedModelVersionRepository;
  modelsUrl: string;
  store: ArtifactStore;
  tokens?: ServiceTokenSource;
  maxBytes: number;
}

/**
 * Model versions and their ONNX bytes from the models service (internal routes), cached: the
 * description in the database, the bytes in the content-addressed store, so a restart or a second
 * endpoint serving the same version downloads nothing.
 */
export class ModelArtifactSource {
  private readonly models: ModelsInternalClient;

  constructor(private readonly deps: ModelArtifactSourceDeps) {
    this.models = new ModelsInternalClient(deps.modelsUrl);
  }

  /** Describes a version of `organizationId`, from the cache or the models service. */
  async describe(
    em: EntityManager,
    versionId: string,
    organizationId: string,
    authorization?: string,
  ): Promise<CachedModelVersion> {
    const cached = await this.deps.versions.findById(em, versionId);
    if (cached && cached.organizationId === organizationId) return cached;
    const auth = await this.authorization(organizationId, authorization);
    const remote: InternalModelVersion = await this.models.getModelVersion(versionId, auth);
    if (remote.organizationId !== organizationId)
      throw new DomainError('FORBIDDEN', `model version ${versionId} belongs to another organization`);
    const format = remote.artifact?.format ?? 'onnx';
    if (!/onnx/i.test(format))
      throw new DomainError(
        'UNSUPPORTED_MODEL_FORMAT',
        `model version ${versionId} is ${format}; only ONNX models are served`,
      );
    return this.deps.versions.save(em, {
      id: remote.id,
      organizationId: remote.organizationId,
      modelId: remote.modelId,
      modelName: remote.modelName,
      version: String(remote.version),
      sha256: remote.artifact.sha256,
      size: remote.artifact.size,
      format,
      declaredSignature: remote.signature ?? null,
      createdAt: new Date(),
    });
  }

  /** The ONNX bytes of a described version: from the local store, else downloaded and checked. */
  async bytes(info: CachedModelVersion, authorization?: string): Promise<Uint8Array> {
    if (await this.deps.store.has(info.sha256)) return new Uint8Array(await this.deps.store.read(info.sha256));
    const auth = await this.authorization(info.organizationId, authorization);
    const stored = await this.deps.store.put(await this.models.getArtifact(info.id, auth), {
      maxBytes: this.deps.maxBytes,
    });
    if (stored.sha256 !== info.sha256) {
      await this.deps.store.delete(stored.sha256);
      throw new DomainError(
        'ARTIFACT_MISMATCH',
        `artifact of model version ${info.id} has sha256 ${stored.sha256}, models declared ${info.sha256}`,
      );
    }
    return new Uint8Array(await this.deps.store.read(info.sha256));
  }

  /** Path of a cached artifact in the local store (for edge packages). */
  pathOf(sha256: string): string {
    return this.deps.store.pathOf(sha256);
  }

  private async authorization(organizationId: string, callerAuthorization?: string): Promise<string> {
    if (callerAuthorization) return callerAuthorization;
    if (!this.deps.tokens)
      throw new DomainError('SERVICE_UNAVAILABLE', 'no caller token and no service secret to ask the models service');
    return `Bearer ${await this.deps.tokens.getToken(organizationId, ['models:read'])}`;
  }
}
