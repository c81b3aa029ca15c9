// A database created before inference's entities extended lib's base entities still boots and serves
// the same rows: the tables were made from the schema SQL printed then (legacy-schema/*.sql), rows
// written through entity classes of that shape, then the service boots on them and answers them.
import path from 'node:path';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { legacyDatabases, openLegacyDatabase, pendingSchemaChanges } from '../../../lib/src/testing/legacy-schema';
import { BatchInferenceJob } from '../src/batch/batch-job.entity';
import { Endpoint } from '../src/endpoint/endpoint.entity';
import { CachedModelVersion } from '../src/serving/cached-model-version.entity';
import { CachedModelVersionRepository } from '../src/serving/cached-model-version.repository';
import { ALL_INFERENCE, startInferenceHarness, type InferenceHarness } from './support/inference.harness';

const ENTITIES = [Endpoint, CachedModelVersion, BatchInferenceJob];

// The rows' shapes as the entities declared them before the base entities (only the columns written here).
@Entity({ tableName: 'endpoints' })
class LegacyEndpoint {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'json' }) routes!: unknown[];
  @Property({ type: 'integer' }) maxBatchSize!: number;
  @Property({ type: 'double' }) maxQueueDelayMs!: number;
  @Property({ type: 'integer' }) replicas!: number;
  @Property({ type: 'json' }) executionProviders!: string[];
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
  @Property({ type: 'datetime' }) updatedAt!: Date;
}

@Entity({ tableName: 'batch_inference_jobs' })
class LegacyBatchJob {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) endpointId!: string;
  @Property({ type: 'string' }) datasetId!: string;
  @Property({ type: 'json' }) mapping!: unknown[];
  @Property({ type: 'json' }) passthroughColumns!: string[];
  @Property({ type: 'string' }) outputDatasetName!: string;
  @Property({ type: 'integer' }) chunkSize!: number;
  @Property({ type: 'string' }) status!: string;
  @Property({ type: 'integer' }) rowsDone!: number;
  @Property({ type: 'integer' }) rowsTotal!: number;
  @Property({ type: 'integer' }) attempts!: number;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'cached_model_versions' })
class LegacyCachedModelVersion {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) modelId!: string;
  @Property({ type: 'string' }) modelName!: string;
  @Property({ type: 'string' }) version!: string;
  @Property({ type: 'string' }) sha256!: string;
  @Property({ type: 'integer' }) size!: number;
  @Property({ type: 'string' }) format!: string;
  @Property({ type: 'datetime' }) fetchedAt!: Date;
}

const LEGACY = [LegacyEndpoint, LegacyBatchJob, LegacyCachedModelVersion];
const ORG = 'org-legacy';
const ENDPOINT = 'e0000000-0000-4000-8000-000000000001';
const JOB = 'b0000000-0000-4000-8000-000000000001';
const t = (iso: string): Date => new Date(iso);
const SQL_DIR = path.join(__dirname, 'legacy-schema');

/**
 * The schema changes an update would make, one statement a line, without SQLite's rebuild of
 * batch_inference_jobs: MikroORM's SQLite comparator reads the `status` enum check as changed and
 * rebuilds that table (same columns, rows copied by name) on every boot, before the base entities
 * as after them.
 */
/**
 * The one schema change since the base entities, and the only one a legacy database may get at boot:
 * batch jobs' per-row failures and the PARTIAL status (#19), additive (SQLite rebuilds the table, filtered above).
 */
const BATCH_ROW_ERRORS_CHANGE: Record<'sqlite' | 'postgresql', string[]> = {
  sqlite: [],
  postgresql: [
    'alter table batch_inference_jobs drop constraint if exists batch_inference_jobs_status_check',
    'alter table batch_inference_jobs add column rows_failed int not null default 0, add column row_error_list jsonb null',
    "alter table batch_inference_jobs add constraint batch_inference_jobs_status_check check(status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'))",
  ],
};

function pendingChanges(sql: string[], label: 'sqlite' | 'postgresql'): string[] {
  const statements = sql.map((s) => s.replace(/[`"]/g, ''));
  const rebuild = (s: string) =>
    /^pragma foreign_keys = (off|on)$/.test(s) || /\bbatch_inference_jobs(__temp_alter)?\b/.test(s);
  return (label === 'sqlite' ? statements.filter((s) => !rebuild(s)) : statements).map((s) =>
    s.replace(/ (datetime|timestamptz) null$/, ' <datetime> null'),
  );
}

describe.each(legacyDatabases('inference'))('an inference database from before the base entities, on $label', (db) => {
  let h: InferenceHarness | undefined;
  afterAll(async () => {
    await h?.close();
    await db.drop();
  });

  it('boots with no schema change and serves every old row the same', async () => {
    const legacy = await openLegacyDatabase(db, { service: 'inference', entities: LEGACY, sqlDir: SQL_DIR });
    const em = legacy.em.fork();
    em.create(LegacyEndpoint, {
      id: ENDPOINT,
      organizationId: ORG,
      name: 'old',
      routes: [{ modelVersionId: 'mv-legacy', weight: 1 }],
      maxBatchSize: 1,
      maxQueueDelayMs: 0,
      replicas: 2,
      executionProviders: ['cpu'],
      createdById: 'u-legacy',
      createdAt: t('2025-01-02T03:04:05.000Z'),
      updatedAt: t('2025-02-03T04:05:06.000Z'),
    });
    em.create(LegacyBatchJob, {
      id: JOB,
      organizationId: ORG,
      endpointId: ENDPOINT,
      datasetId: 'd-legacy',
      mapping: [{ input: 'x', columns: ['a'] }],
      passthroughColumns: [],
      outputDatasetName: 'old-predictions',
      chunkSize: 8,
      status: 'SUCCEEDED',
      rowsDone: 4,
      rowsTotal: 4,
      attempts: 1,
      createdById: 'u-legacy',
      createdAt: t('2025-03-04T05:06:07.000Z'),
    });
    em.create(LegacyCachedModelVersion, {
      id: 'mv-legacy',
      organizationId: ORG,
      modelId: 'm-legacy',
      modelName: 'old',
      version: '1',
      sha256: 'a'.repeat(64),
      size: 10,
      format: 'onnx',
      fetchedAt: t('2025-04-05T06:07:08.000Z'),
    });
    await em.flush();
    await legacy.close();

    // What the ORM would still change: only the batch jobs' row errors (the cache's creation time is its `fetched_at` column).
    const pending = await pendingSchemaChanges(db, { service: 'inference', entities: ENTITIES });
    expect(pendingChanges(pending, db.label)).toEqual(BATCH_ROW_ERRORS_CHANGE[db.label]);

    h = await startInferenceHarness({ databaseUrl: db.url });
    // The old database is baselined: every migration recorded as applied, none left to run.
    expect(await h.built.orm.getMigrator().getPendingMigrations()).toEqual([]);
    expect(
      pendingChanges(
        (await h.built.orm.schema.getUpdateSchemaSQL({ safe: true, dropTables: false, wrap: false }))
          .split(';')
          .map((s) => s.trim())
          .filter(Boolean),
        db.label,
      ),
    ).toEqual([]);
    const token = await h.token(ALL_INFERENCE, ORG);
    const res = await h.gql(
      '{ endpoints { id name replicas createdAt updatedAt } batchInferenceJobs { id status rowsDone createdAt endpoint { id } } }',
      {},
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      endpoints: [
        {
          id: ENDPOINT,
          name: 'old',
          replicas: 2,
          createdAt: '2025-01-02T03:04:05.000Z',
          updatedAt: '2025-02-03T04:05:06.000Z',
        },
      ],
      batchInferenceJobs: [
        {
          id: JOB,
          status: 'SUCCEEDED',
          rowsDone: 4,
          createdAt: '2025-03-04T05:06:07.000Z',
          endpoint: { id: ENDPOINT },
        },
      ],
    });

    // The cached version reads as before, its fetch time as `createdAt`; fetching it again writes the row again.
    const versions = new CachedModelVersionRepository();
    expect(await versions.findById(h.built.orm.em.fork(), 'mv-legacy')).toMatchObject({
      organizationId: ORG,
      modelName: 'old',
      createdAt: t('2025-04-05T06:07:08.000Z'),
    });
    await versions.save(h.built.orm.em.fork(), {
      id: 'mv-legacy',
      organizationId: ORG,
      modelId: 'm-legacy',
      modelName: 'old',
      version: '1',
      sha256: 'b'.repeat(64),
      size: 11,
      format: 'onnx',
      createdAt: t('2025-05-06T07:08:09.000Z'),
    });
    expect(await versions.findById(h.built.orm.em.fork(), 'mv-legacy')).toMatchObject({
      sha256: 'b'.repeat(64),
      size: 11,
      createdAt: t('2025-05-06T07:08:09.000Z'),
    });
  });
});
