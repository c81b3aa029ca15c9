// A database created before the catalog's entities extended lib's base entity still boots and reads
// the same rows: the tables were made from the schema SQL printed then (legacy-schema/*.sql), rows
// written through entity classes of that shape, and then the current entities sync and read them.
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  legacyDatabases,
  openLegacyDatabase,
  openMigrated,
  pendingSchemaChanges,
} from '../../../lib/src/testing/legacy-schema';
import { CATALOG_ENTITIES } from '../src/entities';
import { Dataset } from '../src/dataset/dataset.entity';
import { AuditEntry } from '../src/governance/audit-entry.entity';
import { LineageEdge } from '../src/lineage/lineage-edge.entity';
import { LineageEventRecord } from '../src/lineage/lineage-event.entity';
import { QualityCheck } from '../src/quality/quality-check.entity';
import { MIGRATIONS } from '../src/migrations/index';

// The rows' shapes as the entities declared them before the base entity (only the columns written here).
@Entity({ tableName: 'dataset' })
class LegacyDataset {
  @PrimaryKey({ type: 'string', length: 36 }) id!: string;
  @Property({ type: 'string', length: 64 }) organizationId!: string;
  @Property({ type: 'string', length: 128 }) ownerId!: string;
  @Property({ type: 'string', length: 200 }) name!: string;
  @Property({ type: 'json' }) tags!: string[];
  @Property({ type: 'string', length: 16 }) classification!: string;
  @Property({ type: 'string', length: 8 }) format!: string;
  @Property({ type: 'json' }) columns!: unknown[];
  @Property({ type: 'integer' }) latestVersion!: number;
  @Property({ type: 'integer' }) versionCounter!: number;
  @Property({ type: 'text' }) searchText!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
  @Property({ type: 'datetime' }) updatedAt!: Date;
}

@Entity({ tableName: 'audit_entry' })
class LegacyAuditEntry {
  @PrimaryKey({ type: 'string', length: 36 }) id!: string;
  @Property({ type: 'string', length: 64 }) organizationId!: string;
  @Property({ type: 'string', length: 128 }) actorId!: string;
  @Property({ type: 'string', length: 32 }) action!: string;
  @Property({ type: 'datetime' }) at!: Date;
}

@Entity({ tableName: 'quality_check' })
class LegacyQualityCheck {
  @PrimaryKey({ type: 'string', length: 36 }) id!: string;
  @Property({ type: 'string', length: 64 }) organizationId!: string;
  @Property({ type: 'string', length: 36 }) datasetId!: string;
  @Property({ type: 'integer' }) version!: number;
  @Property({ type: 'string', length: 16 }) trigger!: string;
  @Property({ type: 'integer' }) rowCount!: number;
  @Property({ type: 'json' }) results!: unknown[];
  @Property({ type: 'datetime' }) ranAt!: Date;
}

@Entity({ tableName: 'lineage_edge' })
class LegacyLineageEdge {
  @PrimaryKey({ type: 'string', length: 36 }) id!: string;
  @Property({ type: 'string', length: 64 }) organizationId!: string;
  @Property({ type: 'string', length: 36 }) fromNode!: string;
  @Property({ type: 'string', length: 36 }) toNode!: string;
  @Property({ type: 'datetime' }) updatedAt!: Date;
}

@Entity({ tableName: 'lineage_event' })
class LegacyLineageEvent {
  @PrimaryKey({ type: 'string', length: 36 }) id!: string;
  @Property({ type: 'string', length: 64 }) organizationId!: string;
  @Property({ type: 'string', length: 16 }) kind!: string;
  @Property({ type: 'datetime' }) eventTime!: Date;
  @Property({ type: 'datetime' }) receivedAt!: Date;
  @Property({ type: 'json' }) payload!: Record<string, unknown>;
}

const LEGACY = [LegacyDataset, LegacyAuditEntry, LegacyQualityCheck, LegacyLineageEdge, LegacyLineageEvent];
const ORG = 'org-legacy';
const t = (iso: string): Date => new Date(iso);
const SQL_DIR = path.join(__dirname, 'legacy-schema');

describe.each(legacyDatabases('catalog'))('a catalog database from before the base entity, on $label', (db) => {
  let orm: MikroORM | undefined;
  afterAll(async () => {
    await orm?.close(true);
    await db.drop();
  });

  it('boots with only the nullable created_at columns and the creation key added, and reads every old row the same', async () => {
    const legacy = await openLegacyDatabase(db, { service: 'catalog', entities: LEGACY, sqlDir: SQL_DIR });
    const em = legacy.em.fork();
    em.create(LegacyDataset, {
      id: 'd0000000-0000-4000-8000-000000000001',
      organizationId: ORG,
      ownerId: 'u1',
      name: 'old',
      tags: ['a'],
      classification: 'INTERNAL',
      format: 'CSV',
      columns: [],
      latestVersion: 0,
      versionCounter: 0,
      searchText: 'old',
      createdAt: t('2025-01-02T03:04:05.000Z'),
      updatedAt: t('2025-02-03T04:05:06.000Z'),
    });
    em.create(LegacyAuditEntry, {
      id: 'a0000000-0000-4000-8000-000000000001',
      organizationId: ORG,
      actorId: 'system',
      action: 'RETENTION_APPLIED',
      at: t('2025-03-04T05:06:07.000Z'),
    });
    em.create(LegacyQualityCheck, {
      id: 'c0000000-0000-4000-8000-000000000001',
      organizationId: ORG,
      datasetId: 'd0000000-0000-4000-8000-000000000001',
      version: 0,
      trigger: 'MANUAL',
      rowCount: 0,
      results: [],
      ranAt: t('2025-04-05T06:07:08.000Z'),
    });
    em.create(LegacyLineageEdge, {
      id: 'e0000000-0000-4000-8000-000000000001',
      organizationId: ORG,
      fromNode: 'n1',
      toNode: 'n2',
      updatedAt: t('2025-05-06T07:08:09.000Z'),
    });
    em.create(LegacyLineageEvent, {
      id: 'f0000000-0000-4000-8000-000000000001',
      organizationId: ORG,
      kind: 'RunEvent',
      eventTime: t('2025-06-07T08:09:10.000Z'),
      receivedAt: t('2025-06-07T08:09:11.000Z'),
      payload: { eventType: 'START' },
    });
    await em.flush();
    await legacy.close();

    // What the ORM would still change after boot: nothing but the two nullable columns.
    const pending = (await pendingSchemaChanges(db, { service: 'catalog', entities: CATALOG_ENTITIES })).map((s) =>
      s.replace(/[`"]/g, ''),
    );
    // ... and the dataset's creation key (POST /internal/datasets with an idempotency-key), added later.
    const creationKey =
      db.label === 'sqlite'
        ? [
            'alter table dataset add column creation_key text null',
            'create unique index dataset_organization_id_creation_key_unique on dataset (organization_id, creation_key)',
          ]
        : [
            'alter table dataset add column creation_key varchar(200) null',
            'alter table dataset add constraint dataset_organization_id_creation_key_unique unique (organization_id, creation_key)',
          ];
    expect(pending.map((s) => s.replace(/ (datetime|timestamptz) null$/, ' <datetime> null'))).toEqual([
      'alter table column_lineage_edge add column created_at <datetime> null',
      ...creationKey,
      'alter table lineage_edge add column created_at <datetime> null',
    ]);

    orm = await openMigrated(db, { service: 'catalog', entities: CATALOG_ENTITIES, migrations: MIGRATIONS });
    // The old database is baselined: every migration recorded as applied, none left to run.
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    expect(await orm.schema.getUpdateSchemaSQL({ safe: true, dropTables: false, wrap: false })).toBe('');
    const read = orm.em.fork();
    expect(await read.findOneOrFail(Dataset, { id: 'd0000000-0000-4000-8000-000000000001' })).toMatchObject({
      organizationId: ORG,
      name: 'old',
      createdAt: t('2025-01-02T03:04:05.000Z'),
      updatedAt: t('2025-02-03T04:05:06.000Z'),
    });
    expect((await read.findOneOrFail(AuditEntry, { id: 'a0000000-0000-4000-8000-000000000001' })).createdAt).toEqual(
      t('2025-03-04T05:06:07.000Z'),
    );
    expect((await read.findOneOrFail(QualityCheck, { id: 'c0000000-0000-4000-8000-000000000001' })).createdAt).toEqual(
      t('2025-04-05T06:07:08.000Z'),
    );
    expect(
      (await read.findOneOrFail(LineageEventRecord, { id: 'f0000000-0000-4000-8000-000000000001' })).createdAt,
    ).toEqual(t('2025-06-07T08:09:11.000Z'));
    expect(await read.findOneOrFail(LineageEdge, { id: 'e0000000-0000-4000-8000-000000000001' })).toMatchObject({
      createdAt: null,
      updatedAt: t('2025-05-06T07:08:09.000Z'),
    });
    // New rows fill the added column.
    const write = orm.em.fork();
    const edge = write.create(LineageEdge, {
      id: 'e0000000-0000-4000-8000-000000000002',
      organizationId: ORG,
      fromNode: 'n2',
      toNode: 'n3',
    });
    await write.flush();
    expect((await orm.em.fork().findOneOrFail(LineageEdge, { id: edge.id })).createdAt).toBeInstanceOf(Date);
  });
});
