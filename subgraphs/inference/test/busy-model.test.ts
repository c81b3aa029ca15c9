import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConvNetModel } from './support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  type InferenceHarness,
} from './support/inference.harness';

// A detection-style network on 320×320 images: tens of milliseconds per run on one core. A run on the
// service's main thread would hold up its health checks (a kubelet's probes) for that long, so the
// warm-up decides where each model runs and a model warmed up small moves to its own thread after
// its first long run. What this proves is where the model runs and that the service answers health
// checks while images are being scored; how long those answers take under load is measured by
// `npm run bench` (inference, "Health checks beside a busy image model"), never asserted here.
const SIDE = 320;

let h: InferenceHarness;
let admin: string;

beforeAll(async () => {
  // As production runs it (loadConfig's default): idle onnxruntime pool threads do not spin.
  h = await startInferenceHarness({
    sessionConfig: { 'session.intra_op.allow_spinning': '0', 'session.inter_op.allow_spinning': '0' },
  });
  admin = await h.token(ALL_INFERENCE);
});
afterAll(() => h?.close());

/** Creates an endpoint on its own copy of the model (other seeds: other bytes, so no shared session). */
async function endpointFor(name: string, seed: number, warmupDims?: readonly { name: string; size: number }[]) {
  const version = h.platform.addModel({
    organizationId: h.org,
    modelName: name,
    version: 1,
    bytes: buildConvNetModel(16, 2, seed),
  }).id;
  const res = await h.gql(
    'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
    { i: { name, routes: [{ modelVersion: version, weight: 1 }], ...(warmupDims ? { warmupDims } : {}) } },
    admin,
  );
  const id = res.data.createEndpoint.id as string;
  expect((await settledEndpoint(h, id, admin)).status).toBe('READY');
  return id;
}

/**
 * Sends `requests` 320×320 images (OIP binary extension: no JSON parsing of a million numbers) from
 * two clients while asking for /health/live one request after another. The clients run in a process
 * of their own, so that only the service's work is on the service's event loop.
 * @returns how many health checks were answered (200) while image requests were in flight, and any failures
 */
function healthDuringLoad(endpoint: string, requests: number): Promise<{ answeredDuringLoad: number }> {
  const program = `
    const [url, token, endpoint, requests, side] = process.argv.slice(1);
    const pixels = Float32Array.from({ length: 3 * side * side }, (_, i) => ((i * 7919) % 255) / 255);
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, +side, +side], parameters: { binary_data_size: pixels.byteLength } }],
      parameters: { binary_data_output: true },
    }));
    const body = Buffer.concat([header, Buffer.from(pixels.buffer)]);
    let sent = 0;
    let inFlight = 0;
    const failures = [];
    const client = async () => {
      while (sent < +requests) {
        sent += 1;
        inFlight += 1;
        const res = await fetch(url + '/v2/models/' + endpoint + '/infer', {
          method: 'POST',
          headers: { authorization: 'Bearer ' + token, 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
          body,
        });
        if (res.status !== 200) failures.push('infer ' + res.status + ' ' + (await res.text()));
        else await res.arrayBuffer();
        inFlight -= 1;
      }
    };
    let done = false;
    let answeredDuringLoad = 0;
    const load = Promise.all([client(), client()]).finally(() => (done = true));
    (async () => {
      while (!done) {
        const res = await fetch(url + '/health/live');
        const text = await res.text();
        if (res.status !== 200) failures.push('health ' + res.status + ' ' + text);
        else if (inFlight > 0) answeredDuringLoad += 1;
      }
      await load;
      process.stdout.write(JSON.stringify({ answeredDuringLoad, failures }));
    })();
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', program, h.service.url, admin, endpoint, String(requests), String(SIDE)],
      { maxBuffer: 16 << 20 },
      (error, stdout) => {
        if (error) return reject(error);
        const { answeredDuringLoad, failures } = JSON.parse(stdout) as {
          answeredDuringLoad: number;
          failures: string[];
        };
        expect(failures).toEqual([]);
        resolve({ answeredDuringLoad });
      },
    );
  });
}

const VERSIONS = '{ versions { state ownThread intraOpThreads } }';

describe('a busy model does not hold up the service', () => {
  it.for([
    ['without warmupDims (warmed up with a 1×1 image)', 'det-cold', 1, undefined],
    [
      'with warmupDims of the real size',
      'det-warm',
      2,
      [
        { name: 'height', size: SIDE },
        { name: 'width', size: SIDE },
      ],
    ],
  ] as const)(
    'runs the model off the main thread and answers health checks while 320×320 requests run, %s',
    async ([, name, seed, warmupDims]) => {
      await endpointFor(name, seed, warmupDims);
      const versions = async () =>
        (await h.gql(`query { endpoint(id: "${name}") ${VERSIONS} }`, {}, admin)).data.endpoint;
      // Where the warm-up decided it runs: on the main thread after a 1×1 warm-up, on its own with real sizes.
      expect((await versions()).versions[0].ownThread).toBe(warmupDims !== undefined);
      const { answeredDuringLoad } = await healthDuringLoad(name, 16);
      // After the first long run a model warmed up small has moved to its own thread too.
      expect((await versions()).versions).toEqual([{ state: 'READY', ownThread: true, intraOpThreads: null }]);
      expect(answeredDuringLoad, 'health checks answered while images were being scored').toBeGreaterThan(0);
    },
  );
});
