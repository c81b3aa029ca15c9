import type { UploadManager, UploadTicket } from '../../../../lib/src/index';
import { BadUserInputError } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import { ModelVersionSource } from '../common/enums';
import type { ModelRegistry } from '../model/model-registry.service';
import type { ModelVersion } from './model-version.entity';
import type { CreateModelUploadInput, CreateModelVersionInput, DownloadTicket } from './model-version.input';

const UPLOAD_PURPOSES = ['MODEL_VERSION'];

function numericMetrics(metrics: Record<string, unknown> | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics ?? {})) {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new BadUserInputError('Metrics must be numbers', [
        { field: `metrics.${k}`, message: 'must be a finite number' },
      ]);
    out[k] = v;
  }
  return out;
}

/** ONNX files in and out of the registry: upload tickets, versions from finished uploads, download tickets. */
export class ModelUploadService {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly uploads: UploadManager,
  ) {}

  /** A ticket to PUT an ONNX file to. */
  createUpload(scope: RequestScope, input: CreateModelUploadInput): UploadTicket {
    const { viewer } = scope;
    if (!UPLOAD_PURPOSES.includes(input.purpose))
      throw new BadUserInputError('Unknown upload purpose', [
        { field: 'purpose', message: `one of ${UPLOAD_PURPOSES.join(', ')}` },
      ]);
    if (!input.filename.trim())
      throw new BadUserInputError('A filename is required', [{ field: 'filename', message: 'must not be empty' }]);
    if (input.size != null && !(input.size >= 0))
      throw new BadUserInputError('Invalid size', [{ field: 'size', message: 'must be ≥ 0' }]);
    return this.uploads.create({
      purpose: input.purpose,
      filename: input.filename,
      contentType: input.contentType ?? 'application/octet-stream',
      organizationId: viewer.organizationId,
      userId: viewer.id,
      ...(input.size != null ? { maxBytes: input.size } : {}),
    });
  }

  /** Registers a finished upload as the model's next version. */
  async createVersion(scope: RequestScope, input: CreateModelVersionInput): Promise<ModelVersion> {
    const { viewer } = scope;
    const model = await this.registry.getModel(scope, input.modelId);
    const upload = await this.uploads.get(input.uploadId, viewer.organizationId);
    if (!upload)
      throw new BadUserInputError('Unknown or unfinished upload', [
        { field: 'uploadId', message: 'PUT the file to the upload URL first' },
      ]);
    if (upload.purpose !== 'MODEL_VERSION')
      throw new BadUserInputError('The upload was not made for a model version', [
        { field: 'uploadId', message: 'wrong purpose' },
      ]);
    return this.registry.registerStoredArtifact(
      scope.em,
      model,
      viewer.id,
      { sha256: upload.sha256, size: upload.size },
      {
        source: ModelVersionSource.UPLOAD,
        description: input.description ?? null,
        tags: input.tags ?? [],
        metrics: numericMetrics(input.metrics),
        parameters: { ...(input.parameters ?? {}), filename: upload.filename },
        datasetId: input.datasetId ?? null,
      },
    );
  }

  /** A signed URL for the version's ONNX file. */
  async createDownload(scope: RequestScope, id: string): Promise<DownloadTicket> {
    const { viewer } = scope;
    const version = await this.registry.getVersion(scope, id);
    const ticket = this.uploads.issueDownload({
      sha256: version.sha256,
      filename: `${version.modelName}-v${version.version}.onnx`,
      contentType: 'application/octet-stream',
      organizationId: viewer.organizationId,
      userId: viewer.id,
    });
    return { ...ticket, sha256: version.sha256, size: version.size };
  }
}
