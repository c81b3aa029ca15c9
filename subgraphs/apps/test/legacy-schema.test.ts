// A database created before the apps entities extended lib's base entities still boots with no
// schema change at all and serves the same rows: the tables were made from the schema SQL printed
// then (legacy-schema/*.sql), rows written through classes of that shape, and then the current
// entities sync, read them and the services answer from them.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { PubSub, Viewer } from '../../../lib/src/index';
import { createLogger, createPubSub } from '../../../lib/src/index';
import type { LegacyDatabase } from '../../../lib/src/testing/legacy-schema';
import {
  legacyDatabases,
  openLegacyDatabase,
  openMigrated,
  pendingSchemaChanges,
} from '../../../lib/src/testing/legacy-schema';
import { createServiceJobQueue } from '../../../lib/src/kit/jobs';
import { createAppsServices } from '../src/apps.services';
import { Application } from '../src/application/application.entity';
import { ConfigVersion } from '../src/config-version/config-version.entity';
import { DeploymentEvent } from '../src/deployment/deployment-event.entity';
import { Deployment } from '../src/deployment/deployment.entity';
import { Release } from '../src/deployment/release.entity';
import { APPS_ENTITIES } from '../src/apps.entities';
import { MIGRATIONS } from '../src/migrations/index';

// The rows' shapes as the entities declared them before the base entities.
@Entity({ tableName: 'applications' })
class LegacyApplication {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string', index: true }) organizationId!: string;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'text', nullable: true }) description!: string | null;
  @Property({ type: 'string' }) ownerId!: string;
  @Property({ type: 'json' }) environments!: string[];
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
  @Property({ type: 'datetime' }) updatedAt!: Date;
}

@Entity({ tableName: 'config_versions' })
class LegacyConfigVersion {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string', index: true }) organizationId!: string;
  @Property({ type: 'string', index: true }) applicationId!: string;
  @Property({ type: 'integer' }) version!: number;
  @Property({ type: 'json' }) storedEntries!: unknown[];
  @Property({ type: 'string' }) checksum!: string;
  @Property({ type: 'string', nullable: true }) schemaVersionId!: string | null;
  @Property({ type: 'text', nullable: true }) note!: string | null;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'deployments' })
class LegacyDeployment {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string', index: true }) organizationId!: string;
  @Property({ type: 'string', index: true }) applicationId!: string;
  @Property({ type: 'string' }) environment!: string;
  @Property({ type: 'string' }) driver!: string;
  @Property({ type: 'string' }) status!: string;
  @Property({ type: 'string' }) health!: string;
  @Property({ type: 'integer' }) revision!: number;
  @Property({ type: 'integer' }) replicas!: number;
  @Property({ type: 'json' }) endpointsState!: unknown[];
  @Property({ type: 'string', nullable: true }) configVersionId!: string | null;
  @Property({ type: 'json' }) resources!: Record<string, unknown>;
  @Property({ type: 'json', nullable: true }) scaling!: Record<string, unknown> | null;
  @Property({ type: 'json' }) healthThresholds!: Record<string, unknown>;
  @Property({ type: 'json' }) scalingHistory!: Record<string, unknown>;
  @Property({ type: 'json', nullable: true }) lastDecision!: Record<string, unknown> | null;
  @Property({ type: 'json' }) diagnosticsState!: unknown[];
  @Property({ type: 'datetime', nullable: true }) checkedAt!: Date | null;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
  @Property({ type: 'datetime' }) updatedAt!: Date;
}

@Entity({ tableName: 'releases' })
class LegacyRelease {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string', index: true }) organizationId!: string;
  @Property({ type: 'string', index: true }) deploymentId!: string;
  @Property({ type: 'integer' }) revision!: number;
  @Property({ type: 'json' }) endpoints!: unknown[];
  @Property({ type: 'string', nullable: true }) configVersionId!: string | null;
  @Property({ type: 'json' }) resources!: Record<string, unknown>;
  @Property({ type: 'json', nullable: true }) scaling!: Record<string, unknown> | null;
  @Property({ type: 'integer' }) replicas!: number;
  @Property({ type: 'integer', nullable: true }) rolledBackFrom!: number | null;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'deployment_events' })
class LegacyDeploymentEvent {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string', index: true }) organizationId!: string;
  @Property({ type: 'string', index: true }) deploymentId!: string;
  @Property({ type: 'string' }) applicationId!: string;
  @Property({ type: 'integer' }) sequence!: number;
  @Property({ type: 'string' }) kind!: string;
  @Property({ type: 'string' }) status!: string;
  @Property({ type: 'string', nullable: true }) previousStatus!: string | null;
  @Property({ type: 'string' }) health!: string;
  @Property({ type: 'integer' }) revision!: number;
  @Property({ type: 'integer' }) replicas!: number;
  @Property({ type: 'text' }) message!: string;
  @Property({ type: 'json', nullable: true }) data!: unknown;
  @Property({ type: 'string', nullable: true }) actorId!: string | null;
  @Property({ type: 'datetime' }) at!: Date;
}

const LEGACY = [LegacyApplication, LegacyConfigVersion, LegacyDeployment, LegacyRelease, LegacyDeploymentEvent];
const ORG = 'org-legacy';
const USER = 'user-legacy';
// Ids of the old rows: not UUIDs, since the columns never required them.
const APP = 'app-legacy-1';
const CONFIG = 'config-legacy-1';
const DEPLOYMENT = 'deployment-legacy-1';
const RELEASE = 'release-legacy-1';
const EVENT = 'event-legacy-1';
const ENDPOINTS = [{ name: 'main', weight: 100, routes: [{ modelVersionId: 'mv-1', weight: 1 }], endpointId: 'ep-1' }];
const RESOURCES = { requests: { cpu: '500m' } };
const t = (iso: string): Date => new Date(iso);
const SQL_DIR = path.join(__dirname, 'legacy-schema');

/** Builds the old tables from their printed SQL (createOrm makes a missing PostgreSQL database) and writes one row of each kind. */
async function writeLegacyRows(db: LegacyDatabase): Promise<void> {
  const legacy = await openLegacyDatabase(db, { service: 'apps', entities: LEGACY, sqlDir: SQL_DIR });
  const em = legacy.em.fork();
  em.create(LegacyApplication, {
    id: APP,
    organizationId: ORG,
    name: 'Legacy app',
    description: 'from before',
    ownerId: USER,
    environments: ['dev', 'production'],
    createdById: USER,
    createdAt: t('2025-01-01T00:00:00.000Z'),
    updatedAt: t('2025-01-02T00:00:00.000Z'),
  });
  em.create(LegacyConfigVersion, {
    id: CONFIG,
    organizationId: ORG,
    applicationId: APP,
    version: 1,
    storedEntries: [{ key: 'MODE', kind: 'VALUE', value: 'fast' }],
    checksum: 'c'.repeat(64),
    schemaVersionId: null,
    note: 'first',
    createdById: USER,
    createdAt: t('2025-01-03T00:00:00.000Z'),
  });
  em.create(LegacyDeployment, {
    id: DEPLOYMENT,
    organizationId: ORG,
    applicationId: APP,
    environment: 'production',
    driver: 'LOCAL',
    status: 'RUNNING',
    health: 'HEALTHY',
    revision: 1,
    replicas: 2,
    endpointsState: ENDPOINTS,
    configVersionId: CONFIG,
    resources: RESOURCES,
    scaling: null,
    healthThresholds: { maxErrorRate: 0.05, criticalErrorRate: 0.5, maxLatencyP95Ms: 1000, minRequests: 20 },
    scalingHistory: { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] },
    lastDecision: null,
    diagnosticsState: [],
    checkedAt: t('2025-01-05T00:00:00.000Z'),
    createdById: USER,
    createdAt: t('2025-01-04T00:00:00.000Z'),
    updatedAt: t('2025-01-05T00:00:00.000Z'),
  });
  em.create(LegacyRelease, {
    id: RELEASE,
    organizationId: ORG,
    deploymentId: DEPLOYMENT,
    revision: 1,
    endpoints: ENDPOINTS.map((e) => ({ ...e, endpointId: null })),
    configVersionId: CONFIG,
    resources: RESOURCES,
    scaling: null,
    replicas: 2,
    rolledBackFrom: null,
    createdById: USER,
    createdAt: t('2025-01-04T00:00:01.000Z'),
  });
  em.create(LegacyDeploymentEvent, {
    id: EVENT,
    organizationId: ORG,
    deploymentId: DEPLOYMENT,
    applicationId: APP,
    sequence: 1,
    kind: 'DEPLOYED',
    status: 'RUNNING',
    previousStatus: null,
    health: 'UNKNOWN',
    revision: 1,
    replicas: 2,
    message: 'release 1 deployed',
    data: { revision: 1 },
    actorId: USER,
    at: t('2025-01-04T00:00:02.000Z'),
  });
  await em.flush();
  await legacy.close();
}

describe.each(legacyDatabases('apps'))('an apps database from before the base entities, on $label', (db) => {
  let orm: MikroORM | undefined;
  let pubSub: PubSub | undefined;
  afterAll(async () => {
    await pubSub?.close();
    await orm?.close(true);
    await db.drop();
  });

  it('boots with no schema change and reads and serves every old row', async () => {
    await writeLegacyRows(db);

    // What the ORM would still change after boot: nothing.
    expect(await pendingSchemaChanges(db, { service: 'apps', entities: APPS_ENTITIES })).toEqual([]);

    orm = await openMigrated(db, { service: 'apps', entities: APPS_ENTITIES, migrations: MIGRATIONS });
    // The old database is baselined: every migration recorded as applied, none left to run.
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    const read = orm.em.fork();
    expect(await read.findOneOrFail(Application, { id: APP })).toMatchObject({
      organizationId: ORG,
      name: 'Legacy app',
      environments: ['dev', 'production'],
      createdAt: t('2025-01-01T00:00:00.000Z'),
      updatedAt: t('2025-01-02T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(ConfigVersion, { id: CONFIG })).toMatchObject({
      organizationId: ORG,
      version: 1,
      note: 'first',
      createdAt: t('2025-01-03T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(Deployment, { id: DEPLOYMENT })).toMatchObject({
      organizationId: ORG,
      status: 'RUNNING',
      endpointsState: ENDPOINTS,
      createdAt: t('2025-01-04T00:00:00.000Z'),
      updatedAt: t('2025-01-05T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(Release, { id: RELEASE })).toMatchObject({
      organizationId: ORG,
      revision: 1,
      createdAt: t('2025-01-04T00:00:01.000Z'),
    });
    expect(await read.findOneOrFail(DeploymentEvent, { id: EVENT })).toMatchObject({
      organizationId: ORG,
      sequence: 1,
      kind: 'DEPLOYED',
      createdAt: t('2025-01-04T00:00:02.000Z'),
    });

    // The services answer from the old rows, and new rows go next to them.
    pubSub = createPubSub({ prefix: `apps-legacy-${randomUUID()}` });
    const services = createAppsServices({
      orm,
      pubSub,
      logger: createLogger('apps-test', 'silent'),
      kubernetesApplier: null,
      tokens: null,
      jobs: createServiceJobQueue({ serviceName: 'apps', redisUrl: undefined, jobLeaseMs: 15_000 }, { orm }),
      clock: () => new Date(),
      settings: {
        inferenceUrl: 'http://127.0.0.1:9',
        schemasUrl: 'http://127.0.0.1:9',
        catalogUrl: 'http://127.0.0.1:9',
        monitorIntervalSeconds: 0,
        rolloutWaitSeconds: 60,
        kubernetes: { namespace: 'aic-apps-test', inferenceImage: 'inference:test' },
      },
    });
    const viewer = { id: USER, organizationId: ORG } as Viewer;
    const scope = () => ({ viewer, em: orm!.em.fork() });
    expect((await services.applications.list(scope())).map((a) => a.id)).toEqual([APP]);
    const deployment = await services.deployments.get(scope(), DEPLOYMENT);
    expect(await services.deployments.releasesOf(scope(), deployment)).toEqual([
      expect.objectContaining({ id: RELEASE, revision: 1, createdAt: t('2025-01-04T00:00:01.000Z') }),
    ]);
    expect(
      (await services.deployments.timelineOf(scope(), deployment, null)).map((e) => [e.sequence, e.kind, e.createdAt]),
    ).toEqual([[1, 'DEPLOYED', t('2025-01-04T00:00:02.000Z')]]);
    expect(await services.deployments.configVersionOf(scope(), deployment)).toMatchObject({ id: CONFIG, version: 1 });
    const restored = await services.configVersions.restore(scope(), APP, 1);
    expect(restored).toMatchObject({ version: 2, checksum: 'c'.repeat(64), note: 'restored from version 1' });
    expect(
      (await services.configVersions.listOf(scope(), await services.applications.get(scope(), APP))).map(
        (v) => v.version,
      ),
    ).toEqual([2, 1]);
  });
});
