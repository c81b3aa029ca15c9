// The per-replica endpoint states and the committed batch chunks are keyed by their natural keys
// (endpoint + replica, job + first row) through unique constraints, on the base entity's UUID id: a
// replica's repeated reports update its one row, and a second write of a chunk is refused. Checked on
// a SQLite file and on PostgreSQL with the service's own migrations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openSubgraphDatabase } from '../../../lib/src/kit/database';
import { createLogger } from '../../../lib/src/logger';
import { testPostgresDatabase } from '../../../lib/src/testing/postgres';
import { BatchJobRepository } from '../src/batch/batch-job.repository';
import { EndpointReplicaState } from '../src/endpoint/endpoint-replica.entity';
import { EndpointStatus } from '../src/endpoint/endpoint.types';
import { ReplicaStates } from '../src/endpoint/replica-states';
import { INFERENCE_DATABASE } from '../src/server';
import type { VersionReadinessInfo } from '../src/serving/serving.registry';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-replica-states-'));
const pg = testPostgresDatabase('aic_replica_states');
afterAll(async () => {
  await pg.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const logger = createLogger('inference-test', 'silent');

describe.each([
  { label: 'a SQLite file', databaseUrl: () => path.join(dir, 'inference.sqlite') },
  { label: 'PostgreSQL', databaseUrl: () => pg.url },
])('inference bookkeeping rows on $label', ({ databaseUrl }) => {
  const open = (): Promise<MikroORM> =>
    openSubgraphDatabase({ databaseUrl: databaseUrl(), dataDir: dir, serviceName: 'inference' }, INFERENCE_DATABASE);

  it('keeps one row per endpoint and replica however often the replica reports', async () => {
    const orm = await open();
    try {
      let now = Date.parse('2026-12-07T00:00:00Z');
      const states = (replica: string) =>
        new ReplicaStates({ orm, replica, ttlMs: 30_000, clock: () => new Date(now), logger });
      const a = states('host-a:1');
      const b = states('host-b:1');
      const versions: VersionReadinessInfo[] = [{ key: 'v1', role: 'route', state: 'READY', provider: 'cpu' }];
      await a.report('ep-1', { status: EndpointStatus.LOADING, reason: 'loading v1', versions: [] });
      const first = await orm.em
        .fork()
        .findOneOrFail(EndpointReplicaState, { endpointId: 'ep-1', replica: 'host-a:1' });
      now += 20_000;
      await a.report('ep-1', { status: EndpointStatus.READY, reason: null, versions });
      await b.report('ep-1', { status: EndpointStatus.FAILED, reason: 'out of memory', versions: [] });
      const rows = await orm.em
        .fork()
        .find(EndpointReplicaState, { endpointId: 'ep-1' }, { orderBy: { replica: 'asc' } });
      expect(rows.map((r) => [r.replica, r.status])).toEqual([
        ['host-a:1', EndpointStatus.READY],
        ['host-b:1', EndpointStatus.FAILED],
      ]);
      // The update kept the row's identity and creation time, and moved the heartbeat.
      expect(rows[0]!.id).toBe(first.id);
      expect(rows[0]!.id).toHaveLength(36);
      expect(rows[0]!.createdAt.getTime()).toBe(first.createdAt.getTime());
      expect(rows[0]!.heartbeatAt.getTime()).toBe(now);
      expect(rows[0]!.versions).toEqual([{ ...versions[0], reason: null }]);
      // Either replica answers the same aggregate.
      const local = { status: EndpointStatus.FAILED, reason: 'out of memory', versions: [] };
      expect((await b.of('ep-1', local)).status).toBe(EndpointStatus.READY);
      await a.forget('ep-1');
      expect(await orm.em.fork().count(EndpointReplicaState, { endpointId: 'ep-1' })).toBe(0);
    } finally {
      await orm.close(true);
    }
  });

  it('refuses a second write of the same chunk of a job', async () => {
    const orm = await open();
    try {
      const jobs = new BatchJobRepository();
      const chunk = { jobId: 'job-1', start: 0, end: 10, columns: ['label'], rows: [{ cells: [1] }], attempt: 1 };
      await jobs.insertChunk(orm.em.fork(), chunk);
      await jobs.insertChunk(orm.em.fork(), { ...chunk, start: 10, end: 20 });
      await expect(jobs.insertChunk(orm.em.fork(), { ...chunk, attempt: 2 })).rejects.toThrow(/unique|constraint/i);
      const stored = await jobs.chunksInOrder(orm.em.fork(), 'job-1');
      expect(stored.map((c) => [c.start, c.attempt])).toEqual([
        [0, 1],
        [10, 1],
      ]);
      expect(new Set(stored.map((c) => c.id)).size).toBe(2);
    } finally {
      await orm.close(true);
    }
  });
});
