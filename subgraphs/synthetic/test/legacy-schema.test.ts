// A database created before the synthetic subgraph's entities extended lib's base entities boots with
// no schema change at all and reads the same rows: the tables were made from the schema SQL printed
// then (legacy-schema/*.sql), rows written through entity classes of that shape, and then the current
// entities sync and read them, and the services answer with them.
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../../lib/src/index';
import { databaseKind } from '../../../lib/src/index';
import {
  legacyDatabases,
  openLegacyDatabase,
  openMigrated,
  pendingSchemaChanges,
} from '../../../lib/src/testing/legacy-schema';
import { SyntheticJobStatus, Synthesizer } from '../src/job/job.enums';
import { SyntheticDataJob } from '../src/job/synthetic-job.entity';
import { SyntheticReport } from '../src/report/synthetic-report.entity';
import { SyntheticJobRepository } from '../src/job/job.repository';
import { SyntheticReportRepository } from '../src/report/report.repository';
import { SYNTHETIC_ENTITIES } from '../src/server';
import { MIGRATIONS } from '../src/migrations/index';

// The rows' shapes as the entities declared them before the base entities (only the columns written here).
@Entity({ tableName: 'synthetic_data_job' })
class LegacyJob {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'string', nullable: true }) sourceDatasetId!: string | null;
  @Property({ type: 'string' }) synthesizer!: string;
  @Property({ type: 'integer' }) rows!: number;
  @Property({ type: 'integer' }) seed!: number;
  @Property({ type: 'double', nullable: true }) epsilon!: number | null;
  @Property({ type: 'json' }) constraintsJson!: unknown[];
  @Property({ type: 'json' }) columnHandlingJson!: unknown[];
  @Property({ type: 'string' }) status!: string;
  @Property({ type: 'double' }) progress!: number;
  @Property({ type: 'string' }) stage!: string;
  @Property({ type: 'string', nullable: true }) outputDatasetId!: string | null;
  @Property({ type: 'string', nullable: true }) reportId!: string | null;
  @Property({ type: 'integer' }) attempts!: number;
  @Property({ type: 'boolean' }) cancelRequested!: boolean;
  @Property({ type: 'datetime' }) createdAt!: Date;
  @Property({ type: 'datetime', nullable: true }) startedAt!: Date | null;
  @Property({ type: 'datetime', nullable: true }) finishedAt!: Date | null;
}

@Entity({ tableName: 'synthetic_report' })
class LegacyReport {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) jobId!: string;
  @Property({ type: 'integer' }) rows!: number;
  @Property({ type: 'json' }) compliance!: Record<string, unknown>;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

const LEGACY = [LegacyJob, LegacyReport];
const ORG = 'org-legacy';
const JOB = 'a0000000-0000-4000-8000-000000000001';
const REPORT = 'b0000000-0000-4000-8000-000000000001';
const t = (iso: string): Date => new Date(iso);
const SQL_DIR = path.join(__dirname, 'legacy-schema');

describe.each(legacyDatabases('synthetic'))('a synthetic database from before the base entities, on $label', (db) => {
  let orm: MikroORM | undefined;
  afterAll(async () => {
    await orm?.close(true);
    await db.drop();
  });

  it('boots with no schema change and reads every old row the same', async () => {
    expect(databaseKind(db.url)).toBe(db.label);
    const legacy = await openLegacyDatabase(db, { service: 'synthetic', entities: LEGACY, sqlDir: SQL_DIR });
    const em = legacy.em.fork();
    em.create(LegacyJob, {
      id: JOB,
      organizationId: ORG,
      createdById: 'u-legacy',
      sourceDatasetId: 'd-1',
      synthesizer: 'GAUSSIAN_COPULA',
      rows: 100,
      seed: 7,
      epsilon: null,
      constraintsJson: [{ column: 'x', min: 0, max: 1, allowedValues: null }],
      columnHandlingJson: [{ column: 'email', handling: 'FAKE' }],
      status: 'SUCCEEDED',
      progress: 1,
      stage: 'DONE',
      outputDatasetId: 'd-2',
      reportId: REPORT,
      attempts: 1,
      cancelRequested: false,
      createdAt: t('2025-01-02T03:04:05.000Z'),
      startedAt: t('2025-01-02T03:04:06.000Z'),
      finishedAt: t('2025-01-02T03:04:07.000Z'),
    });
    em.create(LegacyReport, {
      id: REPORT,
      organizationId: ORG,
      jobId: JOB,
      rows: 100,
      compliance: { seed: 7, ranBy: 'u-legacy' },
      createdAt: t('2025-01-02T03:04:07.000Z'),
    });
    await em.flush();
    await legacy.close();

    // What the ORM would still change after boot: nothing.
    expect(await pendingSchemaChanges(db, { service: 'synthetic', entities: SYNTHETIC_ENTITIES })).toEqual([]);

    orm = await openMigrated(db, { service: 'synthetic', entities: SYNTHETIC_ENTITIES, migrations: MIGRATIONS });
    // The old database is baselined: every migration recorded as applied, none left to run.
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    const read = orm.em.fork();
    expect(await read.findOneOrFail(SyntheticDataJob, { id: JOB })).toMatchObject({
      organizationId: ORG,
      createdById: 'u-legacy',
      sourceDatasetId: 'd-1',
      synthesizer: Synthesizer.GAUSSIAN_COPULA,
      rows: 100,
      seed: 7,
      constraintsJson: [{ column: 'x', min: 0, max: 1, allowedValues: null }],
      columnHandlingJson: [{ column: 'email', handling: 'FAKE' }],
      status: SyntheticJobStatus.SUCCEEDED,
      reportId: REPORT,
      createdAt: t('2025-01-02T03:04:05.000Z'),
      finishedAt: t('2025-01-02T03:04:07.000Z'),
    });
    // The repositories the services read through find them in their organization only.
    const viewer = { id: 'u-legacy', organizationId: ORG } as Viewer;
    expect(
      (await new SyntheticJobRepository().listInOrganization(orm.em.fork(), viewer.organizationId, undefined, 10)).map(
        (j) => j.id,
      ),
    ).toEqual([JOB]);
    expect(await new SyntheticJobRepository().findInOrganization(orm.em.fork(), 'org-other', JOB)).toBeNull();
    expect(await new SyntheticReportRepository().getInOrganization(orm.em.fork(), ORG, REPORT)).toMatchObject({
      jobId: JOB,
      rows: 100,
      compliance: { seed: 7, ranBy: 'u-legacy' },
      createdAt: t('2025-01-02T03:04:07.000Z'),
    });

    // New rows get the base entity's UUID key and creation time.
    const write = orm.em.fork();
    const job = write.create(SyntheticDataJob, {
      organizationId: ORG,
      createdById: 'u-new',
      synthesizer: Synthesizer.GAUSSIAN_COPULA,
      rows: 10,
      seed: 1,
      constraintsJson: [],
      columnHandlingJson: [],
    });
    await write.flush();
    const fresh = await orm.em.fork().findOneOrFail(SyntheticDataJob, { id: job.id });
    expect(fresh.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.createdAt).toBeInstanceOf(Date);
    expect(fresh.status).toBe(SyntheticJobStatus.QUEUED);
    expect(await orm.em.fork().count(SyntheticReport, {})).toBe(1);
  });
});
