import { onnx } from 'onnx-proto';
import type { ArtifactStore, UploadManager } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelArtifactSource } from '../serving/model-artifact.source';
import { EDGE_LOADER_SOURCE } from './edge-loader.source';
import { createTarGz } from './tar.writer';

/** What an export produced: the bundle in the artifact store and a signed download URL. */
export interface EdgePackageResult {
  modelVersionId: string;
  sha256: string;
  size: number;
  downloadUrl: string;
  expiresAt: Date;
  manifest: Record<string, unknown>;
  files: string[];
}

function onnxFacts(bytes: Uint8Array): {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: string;
} {
  const model = onnx.ModelProto.decode(bytes);
  return {
    irVersion: Number(model.irVersion),
    opsets: (model.opsetImport ?? []).map((o) => ({ domain: o.domain || 'ai.onnx', version: Number(o.version) })),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
  };
}

/**
 * Builds edge bundles: the ONNX file, its signature, a manifest (sha256, runtime needs) and a loader
 * that runs it with onnxruntime-node or onnxruntime-web, as a .tar.gz in the artifact store.
 */
export class EdgePackageService {
  constructor(
    private readonly deps: {
      source: ModelArtifactSource;
      store: ArtifactStore;
      uploads: UploadManager;
      onnxruntimeVersion: string;
    },
  ) {}

  async export(
    { viewer, em }: RequestScope,
    modelVersionId: string,
    authorization?: string,
  ): Promise<EdgePackageResult> {
    const info = await this.deps.source.describe(em, modelVersionId, viewer.organizationId, authorization);
    const bytes = await this.deps.source.bytes(info, authorization);
    const signature = info.servedSignature ?? info.declaredSignature ?? null;
    const facts = onnxFacts(bytes);
    const manifest = {
      format: 'aic-edge-package',
      formatVersion: 1,
      modelVersion: { id: info.id, modelId: info.modelId, modelName: info.modelName, version: info.version },
      artifact: { file: 'model.onnx', sha256: info.sha256, size: info.size, format: 'onnx', ...facts },
      signature: 'signature.json',
      runtime: {
        engines: ['onnxruntime-node', 'onnxruntime-web'],
        onnxruntimeNode: `>=${this.deps.onnxruntimeVersion}`,
        executionProviders: ['cpu'],
        node: '>=18',
      },
      loader: 'loader.mjs',
      createdAt: new Date().toISOString(),
    };
    const readme = [
      `# ${info.modelName} v${info.version} (edge package)`,
      '',
      'Runs offline. Install one runtime next to this folder, then:',
      '',
      '    npm install onnxruntime-node   # or onnxruntime-web',
      '    node loader.mjs request.json',
      '',
      '`request.json` holds `{ "inputs": [{ "name", "datatype", "shape", "data" }] }` as in `signature.json`.',
      'From code: `const model = await (await import("./loader.mjs")).loadModel(); await model.predict(inputs)`.',
      `The loader refuses a model.onnx whose sha256 is not ${info.sha256}.`,
      '',
    ].join('\n');
    const entries = [
      { name: 'model.onnx', content: bytes },
      { name: 'signature.json', content: `${JSON.stringify(signature, null, 2)}\n` },
      { name: 'manifest.json', content: `${JSON.stringify(manifest, null, 2)}\n` },
      { name: 'loader.mjs', content: EDGE_LOADER_SOURCE, mode: 0o755 },
      {
        name: 'package.json',
        content: `${JSON.stringify({ name: `aic-edge-${info.modelName}`.toLowerCase().replace(/[^a-z0-9-]/g, '-'), private: true, type: 'module', main: 'loader.mjs' }, null, 2)}\n`,
      },
      { name: 'README.md', content: readme },
    ];
    const bundle = createTarGz(entries);
    const stored = await this.deps.store.put(bundle);
    const filename = `${info.modelName}-${info.version}-edge.tar.gz`.replace(/[^A-Za-z0-9._-]/g, '_');
    const download = this.deps.uploads.issueDownload({
      sha256: stored.sha256,
      filename,
      contentType: 'application/gzip',
      organizationId: viewer.organizationId,
      userId: viewer.id,
    });
    return {
      modelVersionId: info.id,
      sha256: stored.sha256,
      size: stored.size,
      downloadUrl: download.url,
      expiresAt: download.expiresAt,
      manifest,
      files: entries.map((e) => e.name),
    };
  }
}
