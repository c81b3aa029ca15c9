import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConvNetModel } from './support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  type InferenceHarness,
} from './support/inference.harness';

// A detection-style network on 320×320 images: tens of milliseconds per run on one core. The
// service and these clients share one process, so a run on the main thread holds up the health
// requests timed here exactly as it would hold up a kubelet's probes.
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
 * two clients while timing health requests one after another (for at least `minMs`). The clients run in a process of their
 * own, so that only the service's work is on the service's event loop.
 * @returns the health latencies (ms)
 */
function healthDuringLoad(endpoint: string, requests: number, minMs = 0): Promise<number[]> {
  const program = `
    const [url, token, endpoint, requests, side, minMs] = process.argv.slice(1);
    const pixels = Float32Array.from({ length: 3 * side * side }, (_, i) => ((i * 7919) % 255) / 255);
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, +side, +side], parameters: { binary_data_size: pixels.byteLength } }],
      parameters: { binary_data_output: true },
    }));
    const body = Buffer.concat([header, Buffer.from(pixels.buffer)]);
    let sent = 0;
    const failures = [];
    const client = async () => {
      // At least the requests asked for, and on until p99 is not the worst sample.
      while (sent < +requests || (+requests > 0 && latencies.length < 100)) {
        sent += 1;
        const res = await fetch(url + '/v2/models/' + endpoint + '/infer', {
          method: 'POST',
          headers: { authorization: 'Bearer ' + token, 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
          body,
        });
        if (res.status !== 200) failures.push(res.status + ' ' + (await res.text()));
        else await res.arrayBuffer();
      }
    };
    const latencies = [];
    let done = false;
    const load = Promise.all([client(), client()]).finally(() => (done = true));
    (async () => {
      const since = performance.now();
      while (!done || performance.now() - since < +minMs) {
        const started = performance.now();
        await (await fetch(url + '/health/live')).arrayBuffer();
        latencies.push(performance.now() - started);
      }
      await load;
      process.stdout.write(JSON.stringify({ latencies, failures }));
    })();
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', program, h.service.url, admin, endpoint, String(requests), String(SIDE), String(minMs)],
      { maxBuffer: 16 << 20 },
      (error, stdout) => {
        if (error) return reject(error);
        const { latencies, failures } = JSON.parse(stdout) as { latencies: number[]; failures: string[] };
        expect(failures).toEqual([]);
        resolve(latencies);
      },
    );
  });
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.99 * sorted.length) - 1]!;
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
    'keeps health p99 under 20 ms while 320×320 requests run, %s',
    async ([what, name, seed, warmupDims], ctx) => {
      await endpointFor(name, seed, warmupDims);
      const versions = async () =>
        (await h.gql(`query { endpoint(id: "${name}") ${VERSIONS} }`, {}, admin)).data.endpoint;
      // Where the warm-up decided it runs: on the main thread after a 1×1 warm-up, on its own with real sizes.
      expect((await versions()).versions[0].ownThread).toBe(warmupDims !== undefined);
      // What this machine gives an idle service: the 20 ms bound is judged only where the baseline is quiet.
      const idle = await healthDuringLoad(name, 0, 1000);
      const latencies = await healthDuringLoad(name, 16);
      expect((await versions()).versions).toEqual([{ state: 'READY', ownThread: true, intraOpThreads: null }]);
      // Enough samples that p99 is not the worst one (the first long run of a model warmed up small is still on the main thread).
      expect(latencies.length).toBeGreaterThanOrEqual(100);
      const summary = `${what}: health p99 ${p99(latencies).toFixed(1)} ms over ${latencies.length} requests under load, ${p99(idle).toFixed(1)} ms idle`;
      if (p99(idle) < 5) expect(p99(latencies), summary).toBeLessThan(20);
      else await ctx.annotate(`${summary}: machine too busy to judge a 20 ms bound`);
    },
  );
});
