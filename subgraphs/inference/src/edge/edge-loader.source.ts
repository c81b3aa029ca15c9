/**
 * The loader shipped in every edge package (`loader.mjs`): plain JavaScript for Node 18+ that runs the
 * packaged model offline with onnxruntime-node, or onnxruntime-web where the native binding is absent.
 * Kept as a string because it runs on the device, not in this service.
 */
export const EDGE_LOADER_SOURCE = String.raw`// AIC edge package loader: runs model.onnx offline with onnxruntime-node or onnxruntime-web.
// Usage: node loader.mjs request.json   (request: { "inputs": [{ "name", "datatype", "shape", "data" }] })
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ORT_TYPES = { BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64', INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64', FP16: 'float16', FP32: 'float32', FP64: 'float64', BYTES: 'string' };
const ARRAYS = { bool: Uint8Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array, float16: Uint16Array, float32: Float32Array, float64: Float64Array };

async function runtime() {
  try {
    return { ort: await import('onnxruntime-node'), engine: 'onnxruntime-node' };
  } catch {
    return { ort: await import('onnxruntime-web'), engine: 'onnxruntime-web' };
  }
}

/** Loads the packaged model after checking its sha256 against the manifest. */
export async function loadModel(dir = here) {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const bytes = readFileSync(join(dir, manifest.artifact.file));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== manifest.artifact.sha256) throw new Error('model.onnx sha256 ' + sha256 + ' does not match the manifest ' + manifest.artifact.sha256);
  const { ort, engine } = await runtime();
  const session = await ort.InferenceSession.create(new Uint8Array(bytes));
  return {
    manifest,
    engine,
    /** Runs Open Inference Protocol style tensors and answers them the same way. */
    async predict(inputs) {
      const feeds = {};
      for (const t of inputs) {
        const type = ORT_TYPES[t.datatype];
        if (!type) throw new Error('unsupported datatype ' + t.datatype);
        const flat = [t.data].flat(Infinity);
        const data = type === 'string' ? flat : type === 'int64' || type === 'uint64' ? ARRAYS[type].from(flat.map((v) => BigInt(v))) : type === 'bool' ? Uint8Array.from(flat.map((v) => (v ? 1 : 0))) : ARRAYS[type].from(flat);
        feeds[t.name] = new ort.Tensor(type, data, t.shape);
      }
      const results = await session.run(feeds);
      return Object.entries(results).map(([name, t]) => ({
        name,
        datatype: Object.keys(ORT_TYPES).find((k) => ORT_TYPES[k] === t.type),
        shape: Array.from(t.dims, Number),
        data: Array.from(t.data, (v) => (typeof v === 'bigint' ? Number(v) : t.type === 'bool' ? v !== 0 : v)),
      }));
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const model = await loadModel();
  const request = JSON.parse(readFileSync(process.argv[2] ?? 0, 'utf8'));
  console.log(JSON.stringify({ engine: model.engine, outputs: await model.predict(request.inputs) }));
}
`;
