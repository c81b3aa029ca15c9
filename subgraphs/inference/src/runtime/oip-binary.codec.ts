import { jsonTooDeepAt, MAX_JSON_DEPTH } from '../../../../lib/src/index';
import { RuntimeInputError } from './runtime.errors';
import { tensorToBytes, tensorToJson, type DecodedTensor, type WireTensor } from './tensor.codec';

/** An Open Inference Protocol v2 infer request body (JSON part). */
export interface InferRequestBody {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: WireTensor[];
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}

/** Header that announces the binary data extension: the JSON header's byte length. */
export const INFERENCE_HEADER = 'inference-header-content-length';

/**
 * Parses an infer request body. With `headerLength` (the binary data extension), the body is that
 * many bytes of JSON followed by the raw bytes of each input whose `parameters.binary_data_size` is
 * set, in input order.
 * @throws RuntimeInputError for malformed JSON or framing
 */
export function parseInferRequest(body: Buffer, headerLength?: number): InferRequestBody {
  const jsonEnd = headerLength ?? body.length;
  if (!Number.isInteger(jsonEnd) || jsonEnd < 0 || jsonEnd > body.length) {
    throw new RuntimeInputError(
      `Inference-Header-Content-Length ${headerLength} does not fit a body of ${body.length} bytes`,
    );
  }
  let parsed: InferRequestBody;
  try {
    parsed = JSON.parse(body.subarray(0, jsonEnd).toString('utf8')) as InferRequestBody;
  } catch (error) {
    throw new RuntimeInputError(`request JSON is malformed: ${(error as Error).message}`);
  }
  // Nested tensor data is flattened recursively.
  const tooDeep = jsonTooDeepAt(parsed);
  if (tooDeep !== undefined)
    throw new RuntimeInputError(
      `request JSON nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels (at ${tooDeep})`,
      'inputs',
    );
  if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.inputs)) {
    throw new RuntimeInputError('request needs an "inputs" list', 'inputs');
  }
  let offset = jsonEnd;
  parsed.inputs.forEach((input, i) => {
    const size = input?.parameters?.binary_data_size;
    if (size === undefined) return;
    if (headerLength === undefined) {
      throw new RuntimeInputError(
        'binary_data_size needs the Inference-Header-Content-Length header',
        `inputs[${i}].parameters.binary_data_size`,
      );
    }
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || offset + size > body.length) {
      throw new RuntimeInputError(
        `binary_data_size ${String(size)} runs past the body's ${body.length - offset} remaining bytes`,
        `inputs[${i}].parameters.binary_data_size`,
      );
    }
    input.rawBytes = body.subarray(offset, offset + size);
    offset += size;
  });
  if (offset !== body.length) throw new RuntimeInputError(`${body.length - offset} bytes follow the last binary input`);
  return parsed;
}

/** Whether an output is asked for as binary data (per output `binary_data`, else request `binary_data_output`). */
export function wantsBinary(request: InferRequestBody, name: string): boolean {
  const own = request.outputs?.find((o) => o.name === name)?.parameters?.binary_data;
  if (typeof own === 'boolean') return own;
  return request.parameters?.binary_data_output === true;
}

export interface InferResponseFields {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Record<string, unknown>;
}

/**
 * Builds an infer response: JSON outputs, or with binary outputs a JSON header followed by their raw
 * bytes (the caller sets Inference-Header-Content-Length to `headerLength`).
 */
export function buildInferResponse(
  fields: InferResponseFields,
  outputs: readonly DecodedTensor[],
  binary: (name: string) => boolean,
): { body: Buffer; headerLength?: number } {
  const chunks: Uint8Array[] = [];
  const json = {
    ...fields,
    outputs: outputs.map((t) => {
      const base = { name: t.name, datatype: t.datatype, shape: t.shape };
      if (!binary(t.name)) return { ...base, data: tensorToJson(t) };
      const bytes = tensorToBytes(t);
      chunks.push(bytes);
      return { ...base, parameters: { binary_data_size: bytes.byteLength } };
    }),
  };
  const header = Buffer.from(JSON.stringify(json), 'utf8');
  if (chunks.length === 0) return { body: header };
  return { body: Buffer.concat([header, ...chunks]), headerLength: header.length };
}
