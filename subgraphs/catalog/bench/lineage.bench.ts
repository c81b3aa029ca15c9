// Lineage traversal benchmark: a generated graph of 100k jobs and datasets, upstream and downstream
// queries at depth 5 on SQLite and PostgreSQL. Prints a markdown table.
//   npx tsx subgraphs/catalog/bench/lineage.bench.ts [--nodes 100000] [--queries 200] [--pg postgresql://postgres@127.0.0.1:5432]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import { createOrm, SeededRandom } from '../../../lib/src/index';
import { ColumnLineageEdge } from '../src/lineage/column-lineage-edge.entity';
import { LineageEdge } from '../src/lineage/lineage-edge.entity';
import { LineageEventRecord } from '../src/lineage/lineage-event.entity';
import { lineageEdgeId, lineageNodeId } from '../src/lineage/lineage.ids';
import { LineageNode } from '../src/lineage/lineage-node.entity';
import type { LineageDirection } from '../src/lineage/lineage.repository';
import { LineageRepository } from '../src/lineage/lineage.repository';
import { LineageRun } from '../src/lineage/lineage-run.entity';

const ENTITIES = [LineageNode, LineageEdge, LineageRun, LineageEventRecord, ColumnLineageEdge];
const ORG = 'bench-org';
const NS = 'bench://warehouse';
const lineage = new LineageRepository();

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Deterministic draws so both databases get the same graph and the same query starts. */
function prng(seed: number): () => number {
  const rng = new SeededRandom(seed);
  return () => rng.next();
}

interface Graph {
  datasets: string[];
  jobs: string[];
  edges: [string, string][];
}

/**
 * Half datasets, half jobs. Job i writes dataset i and reads 3 datasets chosen among the 2000 before
 * it: a layered pipeline with realistic fan-in and fan-out (each dataset feeds ~3 jobs).
 */
function generate(total: number): Graph {
  const n = Math.floor(total / 2);
  const rand = prng(42);
  const datasets = Array.from({ length: n }, (_, i) => lineageNodeId(ORG, 'DATASET', NS, `table_${i}`));
  const jobs = Array.from({ length: n }, (_, i) => lineageNodeId(ORG, 'JOB', NS, `job_${i}`));
  const edges: [string, string][] = [];
  for (let i = 0; i < n; i += 1) {
    edges.push([jobs[i]!, datasets[i]!]);
    if (i === 0) continue;
    const inputs = new Set<number>();
    while (inputs.size < Math.min(3, i)) inputs.add(Math.max(0, i - 1 - Math.floor(rand() * Math.min(i, 2000))));
    for (const d of inputs) edges.push([datasets[d]!, jobs[i]!]);
  }
  return { datasets, jobs, edges };
}

async function load(orm: MikroORM, g: Graph): Promise<number> {
  const started = performance.now();
  const now = new Date();
  const em = orm.em.fork();
  const nodes = [
    ...g.datasets.map((id, i) => ({
      id,
      organizationId: ORG,
      kind: 'DATASET' as const,
      namespace: NS,
      name: `table_${i}`,
      datasetId: null,
      facets: null,
      createdAt: now,
      updatedAt: now,
    })),
    ...g.jobs.map((id, i) => ({
      id,
      organizationId: ORG,
      kind: 'JOB' as const,
      namespace: NS,
      name: `job_${i}`,
      datasetId: null,
      facets: null,
      createdAt: now,
      updatedAt: now,
    })),
  ];
  for (let i = 0; i < nodes.length; i += 2000) await em.insertMany(LineageNode, nodes.slice(i, i + 2000));
  const edges = g.edges.map(([from, to]) => ({
    id: lineageEdgeId(from, to),
    organizationId: ORG,
    fromNode: from,
    toNode: to,
    lastRunId: null,
    createdAt: now,
    updatedAt: now,
  }));
  for (let i = 0; i < edges.length; i += 2000) await em.insertMany(LineageEdge, edges.slice(i, i + 2000));
  return performance.now() - started;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Row {
  database: string;
  direction: LineageDirection;
  p50: number;
  p95: number;
  max: number;
  nodes: number;
}

async function measure(orm: MikroORM, label: string, g: Graph, queries: number): Promise<Row[]> {
  const rand = prng(7);
  const rows: Row[] = [];
  for (const direction of ['UPSTREAM', 'DOWNSTREAM'] as const) {
    // Starts from the middle of the pipeline so both directions have 5 full levels to walk.
    const starts = Array.from(
      { length: queries },
      () => g.datasets[Math.floor(g.datasets.length * (0.25 + 0.5 * rand()))]!,
    );
    for (const s of starts.slice(0, 10)) await lineage.traverse(orm.em.fork(), s, { direction, depth: 5 });
    const times: number[] = [];
    let nodes = 0;
    for (const s of starts) {
      const t = performance.now();
      const r = await lineage.traverse(orm.em.fork(), s, { direction, depth: 5 });
      times.push(performance.now() - t);
      nodes += r.nodes.length;
    }
    times.sort((a, b) => a - b);
    rows.push({
      database: label,
      direction,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      max: times[times.length - 1]!,
      nodes: nodes / queries,
    });
  }
  return rows;
}

async function main(): Promise<void> {
  const total = Number(arg('nodes', '100000'));
  const queries = Number(arg('queries', '200'));
  const pgBase = arg('pg', 'postgresql://postgres@127.0.0.1:5432');
  const g = generate(total);
  const results: Row[] = [];
  const loads: string[] = [];

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-lineage-bench-'));
  const sqlite = await createOrm({
    databaseUrl: path.join(dir, 'lineage.sqlite'),
    dataDir: dir,
    serviceName: 'catalog-bench',
    entities: ENTITIES,
  });
  loads.push(`SQLite: loaded ${total} nodes / ${g.edges.length} edges in ${(await load(sqlite, g)).toFixed(0)} ms`);
  results.push(...(await measure(sqlite, 'SQLite (libsql, file)', g, queries)));
  await sqlite.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const dbName = `aic_lineage_bench_${randomBytes(4).toString('hex')}`;
  let pg: MikroORM | undefined;
  try {
    pg = await createOrm({
      databaseUrl: `${pgBase}/${dbName}`,
      dataDir: os.tmpdir(),
      serviceName: 'catalog-bench',
      entities: ENTITIES,
    });
    loads.push(`PostgreSQL: loaded in ${(await load(pg, g)).toFixed(0)} ms`);
    await pg.em.getConnection().execute('ANALYZE');
    results.push(...(await measure(pg, 'PostgreSQL', g, queries)));
  } catch (err) {
    loads.push(`PostgreSQL skipped: ${(err as Error).message}`);
  } finally {
    if (pg) {
      await pg.em.getConnection().execute(`SELECT 1`);
      await pg.close();
      const admin = await createOrm({
        databaseUrl: `${pgBase}/postgres`,
        dataDir: os.tmpdir(),
        serviceName: 'catalog-bench',
        entities: ENTITIES,
        syncSchema: false,
      });
      await admin.em.getConnection().execute(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.close();
    }
  }

  console.log(
    `### Lineage traversal, ${total} nodes (${total / 2} jobs + ${total / 2} datasets), ${g.edges.length} edges, depth 5, ${queries} queries per row\n`,
  );
  console.log('| database | direction | p50 ms | p95 ms | max ms | nodes returned (mean) |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of results)
    console.log(
      `| ${r.database} | ${r.direction} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.max.toFixed(2)} | ${r.nodes.toFixed(1)} |`,
    );
  console.log(`\n${loads.join('; ')}. Node ${process.version}, ${os.cpus().length} CPUs.`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
