// A database created before the models subgraph's entities extended lib's base entities still boots
// and serves the same rows: the tables were made from the schema SQL printed then (legacy-schema/*.sql),
// rows written through classes of that shape, and then the current entities sync, read them, and the
// service answers GraphQL queries over them. The one schema change left is a nullable `created_at` on
// `model_aliases` (the table had no creation time; old aliases read it as null).
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LegacyDatabase } from '../../../lib/src/testing/legacy-schema';
import {
  legacyDatabases,
  openLegacyDatabase,
  openMigrated,
  pendingSchemaChanges,
} from '../../../lib/src/testing/legacy-schema';
import { gql } from '../../../lib/src/testing/harness';
import type { TestIssuer } from '../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../lib/src/testing/test-issuer';
import { ModelAlias, ModelAliasEvent } from '../src/alias/model-alias.entity';
import { Model } from '../src/model/model.entity';
import { ModelVersion } from '../src/model-version/model-version.entity';
import { MODELS_ENTITIES } from '../src/models.entities';
import { PipelineRun } from '../src/pipeline/pipeline-run.entity';
import { Study, StudyTrial } from '../src/study/study.entity';
import { TrainingEpoch, TrainingJob } from '../src/training/training-job.entity';
import { modelsTestConfig, startModels } from './integration/models-harness';
import { MIGRATIONS } from '../src/migrations/index';

// The rows' shapes as the entities declared them before the base entities (the columns without defaults).
@Entity({ tableName: 'models' })
class LegacyModel {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'json' }) tags!: string[];
  @Property({ type: 'integer' }) latestVersionNumber!: number;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
  @Property({ type: 'datetime' }) updatedAt!: Date;
}

@Entity({ tableName: 'model_versions' })
class LegacyModelVersion {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) modelId!: string;
  @Property({ type: 'string' }) modelName!: string;
  @Property({ type: 'integer' }) version!: number;
  @Property({ type: 'json' }) tags!: string[];
  @Property({ type: 'string' }) source!: string;
  @Property({ type: 'string', nullable: true }) trainingJobId!: string | null;
  @Property({ type: 'string' }) sha256!: string;
  @Property({ type: 'double' }) size!: number;
  @Property({ type: 'string' }) format!: string;
  @Property({ type: 'json' }) signatureJson!: Record<string, unknown>;
  @Property({ type: 'json' }) metrics!: Record<string, number>;
  @Property({ type: 'json' }) parameters!: Record<string, unknown>;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'model_aliases' })
class LegacyModelAlias {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) modelId!: string;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string' }) versionId!: string;
  @Property({ type: 'integer' }) version!: number;
  @Property({ type: 'string' }) updatedById!: string;
  @Property({ type: 'datetime' }) updatedAt!: Date;
}

@Entity({ tableName: 'model_alias_events' })
class LegacyModelAliasEvent {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) modelId!: string;
  @Property({ type: 'string' }) alias!: string;
  @Property({ type: 'integer' }) sequence!: number;
  @Property({ type: 'string', nullable: true }) toVersionId!: string | null;
  @Property({ type: 'integer', nullable: true }) toVersion!: number | null;
  @Property({ type: 'string' }) actorId!: string;
  @Property({ type: 'string' }) actorKind!: string;
  @Property({ type: 'datetime' }) at!: Date;
}

@Entity({ tableName: 'training_jobs' })
class LegacyTrainingJob {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'string' }) modelName!: string;
  @Property({ type: 'string' }) datasetId!: string;
  @Property({ type: 'json' }) featureColumns!: string[];
  @Property({ type: 'string' }) targetColumn!: string;
  @Property({ type: 'string' }) algorithm!: string;
  @Property({ type: 'json' }) hyperparameters!: Record<string, unknown>;
  @Property({ type: 'double' }) validationFraction!: number;
  @Property({ type: 'string' }) state!: string;
  @Property({ type: 'integer' }) epoch!: number;
  @Property({ type: 'integer' }) epochs!: number;
  @Property({ type: 'json' }) metrics!: Record<string, number>;
  @Property({ type: 'string', nullable: true }) modelVersionId!: string | null;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'training_epochs' })
class LegacyTrainingEpoch {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) jobId!: string;
  @Property({ type: 'integer' }) epoch!: number;
  @Property({ type: 'double' }) trainLoss!: number;
  @Property({ type: 'double' }) validationLoss!: number;
  @Property({ type: 'json' }) metrics!: Record<string, number>;
  @Property({ type: 'datetime' }) at!: Date;
}

@Entity({ tableName: 'studies' })
class LegacyStudy {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'string' }) modelName!: string;
  @Property({ type: 'string' }) datasetId!: string;
  @Property({ type: 'json' }) featureColumns!: string[];
  @Property({ type: 'string' }) targetColumn!: string;
  @Property({ type: 'string' }) algorithm!: string;
  @Property({ type: 'json' }) baseHyperparameters!: Record<string, unknown>;
  @Property({ type: 'double' }) validationFraction!: number;
  @Property({ type: 'json' }) searchSpace!: Record<string, unknown>;
  @Property({ type: 'string' }) sampler!: string;
  @Property({ type: 'integer' }) samplerSeed!: number;
  @Property({ type: 'integer' }) gridPoints!: number;
  @Property({ type: 'string' }) pruner!: string;
  @Property({ type: 'integer' }) prunerStartupTrials!: number;
  @Property({ type: 'integer' }) prunerWarmupSteps!: number;
  @Property({ type: 'string' }) objectiveMetric!: string;
  @Property({ type: 'string' }) direction!: string;
  @Property({ type: 'integer' }) nTrials!: number;
  @Property({ type: 'integer' }) parallelism!: number;
  @Property({ type: 'string' }) state!: string;
  @Property({ type: 'integer', nullable: true }) bestTrialNumber!: number | null;
  @Property({ type: 'double', nullable: true }) bestValue!: number | null;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'study_trials' })
class LegacyStudyTrial {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) studyId!: string;
  @Property({ type: 'integer' }) number!: number;
  @Property({ type: 'string' }) state!: string;
  @Property({ type: 'json' }) params!: Record<string, unknown>;
  @Property({ type: 'double', nullable: true }) value!: number | null;
  @Property({ type: 'json' }) intermediateValues!: [number, number][];
  @Property({ type: 'datetime' }) startedAt!: Date;
}

@Entity({ tableName: 'pipeline_runs' })
class LegacyPipelineRun {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'string' }) createdByKind!: string;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string' }) datasetId!: string;
  @Property({ type: 'json' }) spec!: Record<string, unknown>;
  @Property({ type: 'string' }) state!: string;
  @Property({ type: 'json' }) stepRecords!: unknown[];
  @Property({ type: 'datetime' }) createdAt!: Date;
}

const LEGACY = [
  LegacyModel,
  LegacyModelVersion,
  LegacyModelAlias,
  LegacyModelAliasEvent,
  LegacyTrainingJob,
  LegacyTrainingEpoch,
  LegacyStudy,
  LegacyStudyTrial,
  LegacyPipelineRun,
];
const ORG = 'org-legacy';
const USER = 'user-legacy';
const MODEL = 'a0000000-0000-4000-8000-000000000001';
const VERSION = 'a0000000-0000-4000-8000-000000000002';
const ALIAS = 'a0000000-0000-4000-8000-000000000003';
const EVENT = 'a0000000-0000-4000-8000-000000000004';
const JOB = 'a0000000-0000-4000-8000-000000000005';
const EPOCH = 'a0000000-0000-4000-8000-000000000006';
const STUDY = 'a0000000-0000-4000-8000-000000000007';
const TRIAL = 'a0000000-0000-4000-8000-000000000008';
const RUN = 'a0000000-0000-4000-8000-000000000009';
const t = (iso: string): Date => new Date(iso);
const SQL_DIR = path.join(__dirname, 'legacy-schema');
const SIGNATURE = {
  irVersion: 8,
  opsets: [{ domain: '', version: 17 }],
  producerName: 'legacy',
  producerVersion: '1',
  graphName: 'g',
  inputs: [{ name: 'features', elementType: 'FLOAT', shape: ['batch', 4] }],
  outputs: [{ name: 'label', elementType: 'INT64', shape: ['batch'] }],
  metadata: {},
};

/** Builds the old tables from their printed SQL and writes one row of each kind. */
async function writeLegacyRows(db: LegacyDatabase): Promise<void> {
  const legacy = await openLegacyDatabase(db, { service: 'models', entities: LEGACY, sqlDir: SQL_DIR });
  const em = legacy.em.fork();
  em.create(LegacyModel, {
    id: MODEL,
    organizationId: ORG,
    name: 'legacy-model',
    tags: ['old'],
    latestVersionNumber: 1,
    createdById: USER,
    createdAt: t('2025-01-01T00:00:00.000Z'),
    updatedAt: t('2025-01-02T00:00:00.000Z'),
  });
  em.create(LegacyModelVersion, {
    id: VERSION,
    organizationId: ORG,
    modelId: MODEL,
    modelName: 'legacy-model',
    version: 1,
    tags: [],
    source: 'TRAINING_JOB',
    trainingJobId: JOB,
    sha256: 'f'.repeat(64),
    size: 1234,
    format: 'ONNX',
    signatureJson: SIGNATURE,
    metrics: { accuracy: 0.9 },
    parameters: { algorithm: 'LOGISTIC_REGRESSION' },
    createdById: USER,
    createdAt: t('2025-01-03T00:00:00.000Z'),
  });
  em.create(LegacyModelAlias, {
    id: ALIAS,
    organizationId: ORG,
    modelId: MODEL,
    name: 'production',
    versionId: VERSION,
    version: 1,
    updatedById: USER,
    updatedAt: t('2025-01-04T00:00:00.000Z'),
  });
  em.create(LegacyModelAliasEvent, {
    id: EVENT,
    organizationId: ORG,
    modelId: MODEL,
    alias: 'production',
    sequence: 1,
    toVersionId: VERSION,
    toVersion: 1,
    actorId: USER,
    actorKind: 'user',
    at: t('2025-01-04T00:00:00.000Z'),
  });
  em.create(LegacyTrainingJob, {
    id: JOB,
    organizationId: ORG,
    createdById: USER,
    modelName: 'legacy-model',
    datasetId: 'dataset-legacy',
    featureColumns: ['a', 'b'],
    targetColumn: 'y',
    algorithm: 'LOGISTIC_REGRESSION',
    hyperparameters: { epochs: 1 },
    validationFraction: 0.2,
    state: 'SUCCEEDED',
    epoch: 1,
    epochs: 1,
    metrics: { accuracy: 0.9 },
    modelVersionId: VERSION,
    createdAt: t('2025-01-05T00:00:00.000Z'),
  });
  em.create(LegacyTrainingEpoch, {
    id: EPOCH,
    jobId: JOB,
    epoch: 1,
    trainLoss: 0.5,
    validationLoss: 0.6,
    metrics: { accuracy: 0.9 },
    at: t('2025-01-05T00:01:00.000Z'),
  });
  em.create(LegacyStudy, {
    id: STUDY,
    organizationId: ORG,
    createdById: USER,
    modelName: 'legacy-model',
    datasetId: 'dataset-legacy',
    featureColumns: ['a', 'b'],
    targetColumn: 'y',
    algorithm: 'LOGISTIC_REGRESSION',
    baseHyperparameters: {},
    validationFraction: 0.2,
    searchSpace: { learningRate: { type: 'float', low: 0.001, high: 0.1, log: true } },
    sampler: 'RANDOM',
    samplerSeed: 1,
    gridPoints: 3,
    pruner: 'NONE',
    prunerStartupTrials: 0,
    prunerWarmupSteps: 0,
    objectiveMetric: 'validationLoss',
    direction: 'MINIMIZE',
    nTrials: 1,
    parallelism: 1,
    state: 'FAILED',
    bestTrialNumber: 0,
    bestValue: 0.6,
    createdAt: t('2025-01-06T00:00:00.000Z'),
  });
  em.create(LegacyStudyTrial, {
    id: TRIAL,
    studyId: STUDY,
    number: 0,
    state: 'COMPLETE',
    params: { learningRate: 0.01 },
    value: 0.6,
    intermediateValues: [[1, 0.6]],
    startedAt: t('2025-01-06T00:01:00.000Z'),
  });
  em.create(LegacyPipelineRun, {
    id: RUN,
    organizationId: ORG,
    createdById: USER,
    createdByKind: 'user',
    name: 'legacy-run',
    datasetId: 'dataset-legacy',
    spec: {},
    state: 'FAILED',
    stepRecords: [],
    createdAt: t('2025-01-07T00:00:00.000Z'),
  });
  await em.flush();
  await legacy.close();
}

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await issuer?.close();
});

describe.each(legacyDatabases('models'))('a models database from before the base entities, on $label', (db) => {
  let orm: MikroORM | undefined;
  afterAll(async () => {
    await orm?.close(true);
    await db.drop();
  });

  it('boots with only a nullable created_at added to model_aliases, reads every old row the same and serves them', async () => {
    await writeLegacyRows(db);

    // What the ORM would still change after boot: nothing but the one nullable column.
    const pending = (await pendingSchemaChanges(db, { service: 'models', entities: MODELS_ENTITIES })).map((s) =>
      s.replace(/[`"]/g, ''),
    );
    expect(pending.map((s) => s.replace(/ (datetime|timestamptz) null$/, ' <datetime> null'))).toEqual([
      'alter table model_aliases add column created_at <datetime> null',
    ]);

    orm = await openMigrated(db, { service: 'models', entities: MODELS_ENTITIES, migrations: MIGRATIONS });
    // The old database is baselined: every migration recorded as applied, none left to run.
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    expect(await orm.schema.getUpdateSchemaSQL({ safe: true, dropTables: false, wrap: false })).toBe('');
    const read = orm.em.fork();
    expect(await read.findOneOrFail(Model, { id: MODEL })).toMatchObject({
      organizationId: ORG,
      name: 'legacy-model',
      latestVersionNumber: 1,
      createdAt: t('2025-01-01T00:00:00.000Z'),
      updatedAt: t('2025-01-02T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(ModelVersion, { id: VERSION })).toMatchObject({
      organizationId: ORG,
      modelId: MODEL,
      version: 1,
      createdAt: t('2025-01-03T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(ModelAlias, { id: ALIAS })).toMatchObject({
      organizationId: ORG,
      name: 'production',
      createdAt: null,
      updatedAt: t('2025-01-04T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(ModelAliasEvent, { id: EVENT })).toMatchObject({
      organizationId: ORG,
      sequence: 1,
      createdAt: t('2025-01-04T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(TrainingJob, { id: JOB })).toMatchObject({
      organizationId: ORG,
      state: 'SUCCEEDED',
      createdAt: t('2025-01-05T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(TrainingEpoch, { id: EPOCH })).toMatchObject({
      jobId: JOB,
      epoch: 1,
      createdAt: t('2025-01-05T00:01:00.000Z'),
    });
    expect(await read.findOneOrFail(Study, { id: STUDY })).toMatchObject({
      organizationId: ORG,
      bestTrialNumber: 0,
      createdAt: t('2025-01-06T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(StudyTrial, { id: TRIAL })).toMatchObject({
      studyId: STUDY,
      number: 0,
      createdAt: t('2025-01-06T00:01:00.000Z'),
    });
    expect(await read.findOneOrFail(PipelineRun, { id: RUN })).toMatchObject({
      organizationId: ORG,
      name: 'legacy-run',
      createdAt: t('2025-01-07T00:00:00.000Z'),
    });
    // New rows fill the added column.
    const write = orm.em.fork();
    const added = write.create(ModelAlias, {
      organizationId: ORG,
      modelId: MODEL,
      name: 'staging',
      versionId: VERSION,
      version: 1,
      updatedById: USER,
    });
    await write.flush();
    expect((await orm.em.fork().findOneOrFail(ModelAlias, { id: added.id })).createdAt).toBeInstanceOf(Date);
    await orm.close();
    orm = undefined;

    // The service boots on the old database and answers over the old rows as before.
    const models = await startModels(modelsTestConfig(issuer, { databaseUrl: db.url }));
    try {
      const token = await issuer.issue({ sub: USER, org: ORG, perms: ['models:read'] });
      const url = models.service.graphqlUrl;
      const model = await gql(
        url,
        'query { modelByName(name: "legacy-model") { id createdAt updatedAt latestVersion { id uri createdAt aliases trainingJob { id history { epoch at } } } aliases { name version updatedAt updatedBy { id } } aliasHistory { id sequence at toVersion actor { id } } } }',
        {},
        token,
      );
      expect(model.errors).toBeUndefined();
      expect(model.data.modelByName).toEqual({
        id: MODEL,
        createdAt: '2025-01-01T00:00:00.000Z',
        updatedAt: '2025-01-02T00:00:00.000Z',
        latestVersion: {
          id: VERSION,
          uri: 'models:/legacy-model/1',
          createdAt: '2025-01-03T00:00:00.000Z',
          aliases: ['production', 'staging'],
          trainingJob: { id: JOB, history: [{ epoch: 1, at: '2025-01-05T00:01:00.000Z' }] },
        },
        aliases: [
          { name: 'production', version: 1, updatedAt: '2025-01-04T00:00:00.000Z', updatedBy: { id: USER } },
          { name: 'staging', version: 1, updatedAt: expect.any(String), updatedBy: { id: USER } },
        ],
        aliasHistory: [{ id: EVENT, sequence: 1, at: '2025-01-04T00:00:00.000Z', toVersion: 1, actor: { id: USER } }],
      });
      const study = await gql(
        url,
        'query($id: ID!) { study(id: $id) { id createdAt trials { number startedAt reports { step value } } bestTrial { number } } pipelineRuns { id createdAt } }',
        { id: STUDY },
        token,
      );
      expect(study.errors).toBeUndefined();
      expect(study.data).toEqual({
        study: {
          id: STUDY,
          createdAt: '2025-01-06T00:00:00.000Z',
          trials: [{ number: 0, startedAt: '2025-01-06T00:01:00.000Z', reports: [{ step: 1, value: 0.6 }] }],
          bestTrial: { number: 0 },
        },
        pipelineRuns: [{ id: RUN, createdAt: '2025-01-07T00:00:00.000Z' }],
      });
    } finally {
      await models.service.stop();
    }
  });
});
