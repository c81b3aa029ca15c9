// Where a gateway's CPU goes under the gateway benchmark's load: starts the four benchmark subgraphs
// and one gateway target with `node --cpu-prof`, loads it like bench/gateway.bench.ts, stops it and
// prints the profile's heaviest functions, packages and frames of our own code.
// Run: npx tsx bench/gateway/profile.main.ts [--target ours] [--duration 15] [--warmup 5] [--connections 50] [--out <dir>]
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { composeSupergraph } from '../../lib/src/index';
import { BENCHMARK_BODY } from './benchmark-query';
import { BENCHMARK_SUBGRAPHS, buildBenchmarkSubgraph } from './benchmark-subgraphs';
import { summarizeCpuProfile } from './cpu-profile';
import { gatewayTargets } from './gateway-targets';
import { runLoad } from './load';
import type { ServiceProcess } from './processes';
import { processTreeUsage, startProcess, waitForIdle } from './processes';

const ROOT = path.resolve(__dirname, '..', '..');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function waitUntilAnswering(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BENCHMARK_BODY,
      });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function main(): Promise<void> {
  const key = option('target', 'ours');
  const durationSeconds = Number(option('duration', '15'));
  const warmupSeconds = Number(option('warmup', '5'));
  const connections = Number(option('connections', '50'));
  const out = path.resolve(option('out', fs.mkdtempSync(path.join(os.tmpdir(), 'aic-gateway-profile-'))));
  fs.mkdirSync(out, { recursive: true });
  const target = gatewayTargets(ROOT).find((t) => t.key === key);
  if (!target) throw new Error(`Unknown target ${key}`);
  const children: ServiceProcess[] = [];
  try {
    const subgraphs = BENCHMARK_SUBGRAPHS.map((name) =>
      startProcess(
        `subgraph ${name}`,
        process.execPath,
        ['--import', 'tsx', 'bench/gateway/subgraph.main.ts', name],
        {},
        ROOT,
      ),
    );
    children.push(...subgraphs);
    const urls = await Promise.all(subgraphs.map(async (s) => String((await s.firstJsonLine(60_000)).url)));
    const supergraphPath = path.join(out, 'supergraph.graphql');
    fs.writeFileSync(
      supergraphPath,
      composeSupergraph(
        BENCHMARK_SUBGRAPHS.map((name, i) => ({ name, url: urls[i]!, sdl: buildBenchmarkSubgraph(name).sdl })),
      ),
    );
    const { proc, url } = await target.start(supergraphPath, ['--cpu-prof', '--cpu-prof-dir', out]);
    children.push(proc);
    await waitUntilAnswering(url, 120_000);
    if (warmupSeconds > 0) await runLoad({ url, body: BENCHMARK_BODY, connections, durationSeconds: warmupSeconds });
    await waitForIdle(proc.pid, 30_000);
    const cpu0 = processTreeUsage(proc.pid).cpuSeconds;
    const result = await runLoad({
      url,
      body: BENCHMARK_BODY,
      connections,
      durationSeconds,
      verifyBody: (b) => !b.includes('"errors"'),
    });
    await waitForIdle(proc.pid, 30_000);
    const cpu = processTreeUsage(proc.pid).cpuSeconds - cpu0;
    // Our gateway counts subgraph calls and the fetches that shared one (warm-up included).
    const metrics = key.startsWith('ours')
      ? await fetch(url.replace(/\/graphql$/, '/metrics')).then(
          (r) => r.text(),
          () => '',
        )
      : '';
    const total = (name: string) =>
      [...metrics.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
    const calls = total('gateway_subgraph_request_duration_seconds_count');
    const shared = total('gateway_subgraph_deduplicated_total');
    await proc.stop(20_000);
    const files = fs.readdirSync(out).filter((f) => f.endsWith('.cpuprofile'));
    const lines = [
      `${target.label}: ${result.rps.toFixed(1)} req/s, ${result.requests} requests, p50 ${result.latencyMs.p50.toFixed(1)} ms, GraphQL errors ${result.mismatches}, CPU ${((cpu * 1000) / result.requests).toFixed(2)} ms/request (profiler on)`,
      ...(calls
        ? [
            `subgraph calls ${calls}, fetches answered by a shared call ${shared} (${((100 * shared) / (calls + shared)).toFixed(1)}% of fetches), warm-up included`,
          ]
        : []),
      `profiles in ${out}`,
    ];
    for (const file of files) {
      const s = summarizeCpuProfile(path.join(out, file), ROOT);
      const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%`;
      lines.push(
        '',
        `${file}: ${(s.totalMs / 1000).toFixed(1)} s sampled (warm-up and start-up included)`,
        '',
        'self time by package:',
      );
      for (const p of s.packages.slice(0, 25)) lines.push(`  ${pct(p.selfMs)}  ${p.name}`);
      lines.push('', 'self time by function:');
      for (const f of s.functions) lines.push(`  ${pct(f.selfMs)}  ${f.name}  ${f.where}`);
      lines.push('', 'our frames, inclusive:');
      for (const o of s.ours) lines.push(`  ${pct(o.totalMs)}  ${o.name}  ${o.where}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
