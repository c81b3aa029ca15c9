import type { EntityManager } from '@mikro-orm/core';
import type { ArtifactStore, ServiceTokenSource } from '../../../../lib/src/index';
import { DomainError, callInternal } from '../../../../lib/src/index';
import type { CachedModelVersion } from './cached-model-version.entity';
import type { CachedModelVersionRepository } from './cached-model-version.repository';

/** The models service's answer for `GET /internal/model-versions/:id`. */
interface RemoteModelVersion {
  id: string;
  modelId: string;
  modelName: string;
  version: string | number;
  organizationId: string;
  artifact: { sha256: string; size: number; format: string };
  signature?: unknown;
}

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
  constructor(private readonly deps: ModelArtifactSourceDeps) {}

  /** Describes a version of `organizationId`, from the cache or the models service. */
  async describe(em: EntityManager, versionId: string, organizationId: string, authorization?: string): Promise<CachedModelVersion> {
    const cached = await this.deps.versions.findById(em, versionId);
    if (cached && cached.organizationId === organizationId) return cached;
    const auth = await this.authorization(organizationId, authorization);
    const res = await callInternal(`${this.deps.modelsUrl}/internal/model-versions/${encodeURIComponent(versionId)}`, auth);
    const remote = (await res.json()) as RemoteModelVersion;
    if (remote.organizationId !== organizationId) throw new DomainError('FORBIDDEN', `model version ${versionId} belongs to another organization`);
    const format = remote.artifact?.format ?? 'onnx';
    if (!/onnx/i.test(format)) throw new DomainError('UNSUPPORTED_MODEL_FORMAT', `model version ${versionId} is ${format}; only ONNX models are served`);
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
    const res = await callInternal(`${this.deps.modelsUrl}/internal/model-versions/${encodeURIComponent(info.id)}/artifact`, auth);
    const stored = await this.deps.store.put(new Uint8Array(await res.arrayBuffer()), { maxBytes: this.deps.maxBytes });
    if (stored.sha256 !== info.sha256) {
      await this.deps.store.delete(stored.sha256);
      throw new DomainError('ARTIFACT_MISMATCH', `artifact of model version ${info.id} has sha256 ${stored.sha256}, models declared ${info.sha256}`);
    }
    return new Uint8Array(await this.deps.store.read(info.sha256));
  }

  /** Path of a cached artifact in the local store (for edge packages). */
  pathOf(sha256: string): string {
    return this.deps.store.pathOf(sha256);
  }

  private async authorization(organizationId: string, callerAuthorization?: string): Promise<string> {
    if (callerAuthorization) return callerAuthorization;
    if (!this.deps.tokens) throw new DomainError('SERVICE_UNAVAILABLE', 'no caller token and no service secret to ask the models service');
    return `Bearer ${await this.deps.tokens.getToken(organizationId, ['models:read'])}`;
  }
}
