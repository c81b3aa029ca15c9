// Gateway benchmark (issue #9): the public graphql-hive/graphql-gateways-benchmark "federation"
// case — four subgraphs (accounts, inventory, products, reviews) and its heavy nested query — served
// through our gateway, bare Apollo Gateway and Hive Gateway, each in its own process, loaded side by
// side with autocannon on 127.0.0.1. Prints a markdown section on stdout; progress goes to stderr.
// Each gateway runs two scenarios: "identical" (every client sends the benchmark's one body, as the
// public benchmark does) and "distinct" (every request differs in variables and user: nothing can be
// deduplicated, so the rows compare the gateways' real execution cost).
// Targets (keys for --targets): ours, ours-2w, ours-nodedupe, bare, bare-http, hive, hive-public, hive-2f,
// hive-public-2f, ceiling (a plain node:http server answering the first gateway's answer bytes: list it last).
// Run: npx tsx bench/gateway.bench.ts [--duration 20] [--warmup 5] [--connections 50] [--rounds 2] [--targets ours,bare,hive] [--scenarios identical,distinct]
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { composeSupergraph } from '../lib/src/index';
import { BENCHMARK_BODY, checkBenchmarkAnswer, distinctRequest } from './gateway/benchmark-query';
import type { BenchmarkData } from './gateway/benchmark-query';
import { BENCHMARK_SUBGRAPHS, buildBenchmarkSubgraph } from './gateway/benchmark-subgraphs';
import type { GatewayTarget } from './gateway/gateway-targets';
import { ceilingAnswerPath, gatewayTargets } from './gateway/gateway-targets';
import type { LoadResult } from './gateway/load';
import { runLoad } from './gateway/load';
import type { ServiceProcess } from './gateway/processes';
import { processTreeUsage, startProcess, waitForIdle } from './gateway/processes';
import { renderGatewayReport } from './gateway/report';
import type { Measured, TargetOutcome } from './gateway/report';

const ROOT = path.resolve(__dirname, '..');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const log = (msg: string) => process.stderr.write(`[gateway bench] ${msg}\n`);

async function waitUntilAnswering(
  url: string,
  proc: ServiceProcess,
  timeoutMs: number,
): Promise<{ problems: string[]; data: string; bytes: number; text: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`exited with code ${proc.child.exitCode}:\n${proc.outputTail()}`);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BENCHMARK_BODY,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      const body = JSON.parse(text) as { data?: BenchmarkData; errors?: unknown[] };
      if (res.status === 200 && body.data)
        return {
          problems: checkBenchmarkAnswer(body),
          data: JSON.stringify(body.data),
          bytes: Buffer.byteLength(text),
          text,
        };
      last = `HTTP ${res.status}: ${JSON.stringify(body).slice(0, 400)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `did not answer the benchmark query within ${timeoutMs / 1000} s (last: ${last})\n${proc.outputTail()}`,
  );
}

/** @returns the GraphQL requests the benchmark subgraphs have served so far, or undefined if one does not say */
async function subgraphRequests(graphqlUrls: string[]): Promise<number | undefined> {
  try {
    const counts = await Promise.all(
      graphqlUrls.map(
        async (u) => ((await (await fetch(u.replace(/\/graphql$/, '/stats'))).json()) as { requests: number }).requests,
      ),
    );
    return counts.reduce((s, n) => s + n, 0);
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const durationSeconds = Number(option('duration', '20'));
  const warmupSeconds = Number(option('warmup', '5'));
  const connections = Number(option('connections', '50'));
  const rounds = Number(option('rounds', '2'));
  const wanted = option('targets', '').split(',').filter(Boolean);
  const scenarios = option('scenarios', 'identical,distinct').split(',').filter(Boolean);
  const targets = gatewayTargets(ROOT).filter((t) => !wanted.length || wanted.includes(t.key));
  const loadBefore = os.loadavg();
  const started = new Date();
  const children: ServiceProcess[] = [];
  const stopAll = () => Promise.all(children.map((c) => c.stop()));
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));

  try {
    log('starting the four subgraphs');
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
    const supergraphSdl = composeSupergraph(
      BENCHMARK_SUBGRAPHS.map((name, i) => ({ name, url: urls[i]!, sdl: buildBenchmarkSubgraph(name).sdl })),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-gateway-bench-'));
    const supergraphPath = path.join(dir, 'supergraph.graphql');
    fs.writeFileSync(supergraphPath, supergraphSdl);

    const outcomes: TargetOutcome[] = [];
    const running: {
      target: GatewayTarget;
      proc: ServiceProcess;
      url: string;
      outcome: TargetOutcome;
      scenario: 'identical' | 'distinct';
    }[] = [];
    const distinctOutcomes: TargetOutcome[] = [];
    let reference: string | undefined;
    for (const target of targets) {
      const outcome: TargetOutcome = { key: target.key, label: target.label, processes: target.processes, rounds: [] };
      outcomes.push(outcome);
      log(`starting ${target.label}`);
      try {
        const { proc, url } = await target.start(supergraphPath);
        children.push(proc);
        const first = await waitUntilAnswering(url, proc, 120_000);
        if (reference === undefined) {
          reference = first.data;
          // The ceiling target answers these bytes.
          fs.writeFileSync(ceilingAnswerPath(supergraphPath), first.text);
        }
        outcome.answerProblems = first.problems;
        outcome.sameDataAsFirst = first.data === reference;
        outcome.answerBytes = first.bytes;
        running.push({ target, proc, url, outcome, scenario: 'identical' });
        if (scenarios.includes('distinct')) {
          const distinct: TargetOutcome = {
            ...outcome,
            key: `${target.key}-distinct`,
            label: `${target.label}, distinct requests`,
            rounds: [],
          };
          distinctOutcomes.push(distinct);
          running.push({ target, proc, url, outcome: distinct, scenario: 'distinct' });
        }
      } catch (err) {
        outcome.error = (err as Error).message;
        log(`${target.label} failed: ${outcome.error.split('\n')[0]}`);
      }
    }

    // The distinct rows follow the identical ones in the report.
    outcomes.push(...distinctOutcomes);
    const verifyBody = (body: string) => !body.includes('"errors"');
    for (let round = 1; round <= rounds; round++) {
      for (const r of running.filter((x) => scenarios.includes(x.scenario))) {
        log(`round ${round}/${rounds}: ${r.outcome.label}: warm-up ${warmupSeconds} s, then ${durationSeconds} s`);
        const requestOf = r.scenario === 'distinct' ? distinctRequest : undefined;
        if (warmupSeconds > 0)
          await runLoad({ url: r.url, body: BENCHMARK_BODY, connections, durationSeconds: warmupSeconds, requestOf });
        if (!(await waitForIdle(r.proc.pid, 60_000))) log('  the gateway was still busy 60 s after the warm-up');
        const gw0 = processTreeUsage(r.proc.pid);
        const sg0 = subgraphs.reduce((s, p) => s + processTreeUsage(p.pid).cpuSeconds, 0);
        const calls0 = await subgraphRequests(urls);
        const load0 = os.loadavg()[0]!;
        const result: LoadResult = await runLoad({
          url: r.url,
          body: BENCHMARK_BODY,
          connections,
          durationSeconds,
          verifyBody,
          requestOf,
        });
        const gw1 = processTreeUsage(r.proc.pid);
        const sg1 = subgraphs.reduce((s, p) => s + processTreeUsage(p.pid).cpuSeconds, 0);
        const calls1 = await subgraphRequests(urls);
        const measured: Measured = {
          ...result,
          gatewayCpuSeconds: gw1.cpuSeconds - gw0.cpuSeconds,
          subgraphCpuSeconds: sg1 - sg0,
          subgraphRequests: calls0 !== undefined && calls1 !== undefined ? calls1 - calls0 : undefined,
          gatewayRssBytes: gw1.rssBytes,
          loadAverage: [load0, os.loadavg()[0]!],
        };
        r.outcome.rounds.push(measured);
        if (!(await waitForIdle(r.proc.pid, 60_000))) log('  the gateway was still busy 60 s after the run');
        log(
          `  ${result.rps.toFixed(1)} req/s, p50 ${result.latencyMs.p50.toFixed(1)} ms, p99 ${result.latencyMs.p99.toFixed(1)} ms, errors ${result.errors}, non-2xx ${result.non2xx}, GraphQL errors ${result.mismatches}`,
        );
      }
    }
    const loadAfter = os.loadavg();
    process.stdout.write(
      `${renderGatewayReport({ outcomes, settings: { durationSeconds, warmupSeconds, connections, rounds }, loadBefore, loadAfter, started, subgraphUrls: urls })}\n`,
    );
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
