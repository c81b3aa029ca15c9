import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { MikroORM } from '@mikro-orm/core';
import { createOrm } from '../../../lib/src/index';
import { systemClock } from '../../../lib/src/kit/clock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColumnLineageEdge } from '../src/lineage/column-lineage-edge.entity';
import { LineageEdge } from '../src/lineage/lineage-edge.entity';
import { LineageEventRecord } from '../src/lineage/lineage-event.entity';
import { lineageNodeId, lineageRunKey } from '../src/lineage/lineage.ids';
import { LineageIngestor } from '../src/lineage/lineage.ingestor';
import { LineageNode } from '../src/lineage/lineage-node.entity';
import type { LineageGraph } from '../src/lineage/lineage.repository';
import { LineageRepository } from '../src/lineage/lineage.repository';
import { LineageRun } from '../src/lineage/lineage-run.entity';
import type { OpenLineageEvent } from '../../../lib/src/openlineage/openlineage.types';
import { createOpenLineageValidator } from '../src/openlineage/openlineage.validator';
import { testDatabases } from './databases';
import { OPENLINEAGE_FIXTURES } from './fixtures';

const ORG = 'org-a';
const NS = 'aic://test';
const validator = createOpenLineageValidator();
const lineage = new LineageRepository();
const ingestor = new LineageIngestor(lineage, systemClock);
let orm: MikroORM;

function runEvent(
  job: string,
  inputs: string[],
  outputs: string[],
  eventType: OpenLineageEvent['eventType'] = 'COMPLETE',
  runId = randomUUID(),
): OpenLineageEvent {
  return {
    eventTime: new Date().toISOString(),
    eventType,
    producer: 'https://example.com/test',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId },
    job: { namespace: NS, name: job },
    inputs: inputs.map((name) => ({ namespace: NS, name })),
    outputs: outputs.map((name) => ({ namespace: NS, name })),
  };
}

async function ingest(event: OpenLineageEvent, org = ORG): Promise<void> {
  const { kind, event: e } = validator.assertValid(event);
  await ingestor.ingest(orm.em.fork(), org, kind, e);
}

const ds = (name: string, org = ORG): string => lineageNodeId(org, 'DATASET', NS, name);
const job = (name: string, org = ORG): string => lineageNodeId(org, 'JOB', NS, name);
const names = (g: LineageGraph): string[] =>
  g.nodes.map((n) => `${n.depth}:${n.node.kind === 'JOB' ? 'job' : 'ds'}:${n.node.name}`);

describe.each(testDatabases())('lineage graph on $label', (db) => {
  beforeAll(async () => {
    orm = await createOrm({
      databaseUrl: db.url,
      dataDir: os.tmpdir(),
      serviceName: 'catalog-test',
      entities: [LineageNode, LineageEdge, LineageRun, LineageEventRecord, ColumnLineageEdge],
    });
    // raw -> clean -> features -> model, plus a side branch features -> report
    await ingest(runEvent('clean', ['raw'], ['clean']));
    await ingest(runEvent('featurize', ['clean', 'lookup'], ['features']));
    await ingest(runEvent('train', ['features'], ['model']));
    await ingest(runEvent('report', ['features'], ['report']));
    // a cycle: loop_a reads loop_x writes loop_y, loop_b reads loop_y writes loop_x
    await ingest(runEvent('loop_a', ['loop_x'], ['loop_y']));
    await ingest(runEvent('loop_b', ['loop_y'], ['loop_x']));
    // another organization with the same names
    await ingest(runEvent('clean', ['raw'], ['leak']), 'org-b');
  });
  afterAll(async () => {
    await orm?.close(true);
    await db.drop();
  });

  it('builds the expected graph from a chain of events', async () => {
    const g = await lineage.traverse(orm.em.fork(), ds('model'), { direction: 'UPSTREAM', depth: 10 });
    expect(names(g)).toEqual([
      '0:ds:model',
      '1:job:train',
      '2:ds:features',
      '3:job:featurize',
      '4:ds:clean',
      '4:ds:lookup',
      '5:job:clean',
      '6:ds:raw',
    ]);
    expect(g.edges).toHaveLength(7);
    expect(g.edges).toContainEqual({ from: ds('raw'), to: job('clean') });
    expect(g.truncated).toBe(false);
    const down = await lineage.traverse(orm.em.fork(), ds('raw'), { direction: 'DOWNSTREAM', depth: 10 });
    expect(names(down)).toEqual([
      '0:ds:raw',
      '1:job:clean',
      '2:ds:clean',
      '3:job:featurize',
      '4:ds:features',
      '5:job:report',
      '5:job:train',
      '6:ds:model',
      '6:ds:report',
    ]);
  });

  it('holds the depth bound in both directions', async () => {
    const em = orm.em.fork();
    expect(names(await lineage.traverse(em, ds('features'), { direction: 'UPSTREAM', depth: 2 }))).toEqual([
      '0:ds:features',
      '1:job:featurize',
      '2:ds:clean',
      '2:ds:lookup',
    ]);
    expect(names(await lineage.traverse(em, ds('features'), { direction: 'BOTH', depth: 1 }))).toEqual([
      '0:ds:features',
      '1:job:featurize',
      '1:job:report',
      '1:job:train',
    ]);
    expect(names(await lineage.traverse(em, ds('features'), { direction: 'BOTH', depth: 0 }))).toEqual([
      '0:ds:features',
    ]);
    const capped = await lineage.traverse(em, ds('features'), { direction: 'BOTH', depth: 5, maxNodes: 3 });
    expect([capped.nodes.length, capped.truncated]).toEqual([3, true]);
  });

  it('never hangs on a cycle', async () => {
    const g = await lineage.traverse(orm.em.fork(), ds('loop_x'), { direction: 'DOWNSTREAM', depth: 20 });
    expect(names(g)).toEqual(['0:ds:loop_x', '1:job:loop_a', '2:ds:loop_y', '3:job:loop_b']);
    expect(g.edges).toContainEqual({ from: job('loop_b'), to: ds('loop_x') });
  });

  it('keeps organizations apart', async () => {
    const g = await lineage.traverse(orm.em.fork(), ds('raw'), { direction: 'DOWNSTREAM', depth: 5 });
    expect(names(g)).not.toContain('2:ds:leak');
    const b = await lineage.traverse(orm.em.fork(), ds('raw', 'org-b'), { direction: 'DOWNSTREAM', depth: 5 });
    expect(names(b)).toEqual(['0:ds:raw', '1:job:clean', '2:ds:leak']);
  });

  it('folds run states and keeps facets and the whole event', async () => {
    const runId = randomUUID();
    const start = runEvent('stateful', ['raw'], ['out'], 'START', runId);
    start.job!.facets = {
      sql: {
        _producer: 'https://example.com/p',
        _schemaURL: 'https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json',
        query: 'SELECT 1',
      },
    };
    await ingest(start);
    await ingest({
      ...runEvent('stateful', ['raw'], ['out'], 'COMPLETE', runId),
      eventTime: new Date(Date.now() + 1000).toISOString(),
    });
    await ingest({
      ...runEvent('stateful', ['raw'], ['out'], 'RUNNING', runId),
      eventTime: new Date(Date.now() + 500).toISOString(),
    });
    const em = orm.em.fork();
    const run = await em.findOneOrFail(LineageRun, { id: lineageRunKey(ORG, runId) });
    expect(run.state).toBe('COMPLETE');
    expect(run.startedAt).toBeInstanceOf(Date);
    expect(run.endedAt!.getTime()).toBeGreaterThan(run.startedAt!.getTime());
    const jobNode = await em.findOneOrFail(LineageNode, { id: job('stateful') });
    expect((jobNode.facets as any).sql.query).toBe('SELECT 1');
    expect(await em.count(LineageEventRecord, { organizationId: ORG, runId })).toBe(3);
  });

  it('follows column lineage from the spec facet', async () => {
    const facet = JSON.parse(
      fs.readFileSync(path.join(OPENLINEAGE_FIXTURES, 'tests/ColumnLineageDatasetFacet/1.json'), 'utf8'),
    );
    const e = runEvent('discounts', [], []);
    e.inputs = [
      { namespace: 'SnowflakeOpenLineage', name: 'CUSTOMERS' },
      { namespace: 'SnowflakeOpenLineage', name: 'DISCOUNTS' },
    ];
    e.outputs = [{ namespace: 'SnowflakeOpenLineage', name: 'CUSTOMER_DISCOUNTS', facets: facet }];
    await ingest(e);
    const second = runEvent('summary', [], []);
    second.inputs = [{ namespace: 'SnowflakeOpenLineage', name: 'CUSTOMER_DISCOUNTS' }];
    second.outputs = [
      {
        namespace: 'SnowflakeOpenLineage',
        name: 'SUMMARY',
        facets: {
          columnLineage: {
            _producer: 'https://example.com/p',
            _schemaURL: 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json',
            fields: {
              TOP_NAME: {
                inputFields: [{ namespace: 'SnowflakeOpenLineage', name: 'CUSTOMER_DISCOUNTS', field: 'NAME' }],
              },
            },
          },
        },
      },
    ];
    await ingest(second);
    const sf = (name: string): string => lineageNodeId(ORG, 'DATASET', 'SnowflakeOpenLineage', name);
    const em = orm.em.fork();
    const up = await lineage.traverseColumns(em, sf('SUMMARY'), 'TOP_NAME', 'UPSTREAM', 5);
    expect(up.map((l) => `${l.depth} ${l.input.field}`).sort()).toEqual(['1 NAME', '2 CUSTOMERS_ID', '2 ID', '2 NAME']);
    expect(await lineage.traverseColumns(em, sf('SUMMARY'), 'TOP_NAME', 'UPSTREAM', 1)).toHaveLength(1);
    const all = await lineage.traverseColumns(em, sf('CUSTOMER_DISCOUNTS'), null, 'UPSTREAM', 1);
    expect(all).toHaveLength(12);
    const down = await lineage.traverseColumns(em, sf('CUSTOMERS'), 'NAME', 'DOWNSTREAM', 5);
    expect(down.map((l) => `${l.depth} ${l.output.field}`)).toEqual(['1 NAME', '2 TOP_NAME']);
    expect(down[0]!.transformations).toEqual([{ type: 'DIRECT', subtype: 'IDENTITY', masking: false }]);
  });
});
