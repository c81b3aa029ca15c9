// A database created before the registry's entities extended lib's base entities still boots and
// serves the same rows: the tables were made from the schema SQL printed then (legacy-schema/*.sql),
// rows written through entity classes of that shape, and then the current entities sync, read them
// and register on top of them (the next version number and global id follow the old ones).
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../../lib/src/index';
import {
  legacyDatabases,
  openLegacyDatabase,
  openMigrated,
  pendingSchemaChanges,
} from '../../../lib/src/testing/legacy-schema';
import { IdSequenceEntity, RegistrySettingsEntity } from '../src/registry/registry-settings.entity';
import { SchemaVersion } from '../src/schema-version/schema-version.entity';
import { createSchemasServices } from '../src/schemas.services';
import { SCHEMAS_ENTITIES } from '../src/entities';
import { SubjectEntity } from '../src/subject/subject.entity';
import { MIGRATIONS } from '../src/migrations/index';

// The rows' shapes as the entities declared them before the base entities.
@Entity({ tableName: 'subjects' })
class LegacySubject {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string', nullable: true }) compatibility!: string | null;
  @Property({ type: 'boolean' }) deleted!: boolean;
  @Property({ type: 'integer' }) nextVersion!: number;
  @Property({ type: 'datetime' }) createdAt!: Date;
  @Property({ type: 'datetime' }) updatedAt!: Date;
}

@Entity({ tableName: 'schema_versions' })
class LegacySchemaVersion {
  @PrimaryKey({ type: 'string' }) id!: string;
  @Property({ type: 'integer' }) globalId!: number;
  @Property({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) subjectId!: string;
  @Property({ type: 'string' }) subject!: string;
  @Property({ type: 'integer' }) version!: number;
  @Property({ type: 'string' }) type!: string;
  @Property({ type: 'text' }) schema!: string;
  @Property({ type: 'text' }) canonicalSchema!: string;
  @Property({ type: 'string' }) fingerprint!: string;
  @Property({ type: 'json' }) references!: unknown[];
  @Property({ type: 'boolean' }) deleted!: boolean;
  @Property({ type: 'string' }) createdById!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'registry_settings' })
class LegacyRegistrySettings {
  @PrimaryKey({ type: 'string' }) organizationId!: string;
  @Property({ type: 'string' }) compatibility!: string;
}

@Entity({ tableName: 'id_sequences' })
class LegacyIdSequence {
  @PrimaryKey({ type: 'string' }) name!: string;
  @Property({ type: 'integer' }) value!: number;
}

const LEGACY = [LegacySubject, LegacySchemaVersion, LegacyRegistrySettings, LegacyIdSequence];
const ORG = 'org-legacy';
const SUBJECT = '5a000000-0000-4000-8000-000000000001';
const t = (iso: string): Date => new Date(iso);
const SQL_DIR = path.join(__dirname, 'legacy-schema');
const closed = (props: string[]) =>
  JSON.stringify({
    type: 'object',
    properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])),
    additionalProperties: false,
  });

describe.each(legacyDatabases('schemas'))('a schemas database from before the base entities, on $label', (db) => {
  let orm: MikroORM | undefined;
  afterAll(async () => {
    await orm?.close(true);
    await db.drop();
  });

  it('boots with only the nullable id and created_at columns added to the two tables keyed otherwise, reads every old row and registers after them', async () => {
    const legacy = await openLegacyDatabase(db, { service: 'schemas', entities: LEGACY, sqlDir: SQL_DIR });
    const em = legacy.em.fork();
    em.create(LegacySubject, {
      id: SUBJECT,
      organizationId: ORG,
      name: 'orders',
      compatibility: 'FULL',
      deleted: false,
      nextVersion: 2,
      createdAt: t('2025-01-02T03:04:05.000Z'),
      updatedAt: t('2025-02-03T04:05:06.000Z'),
    });
    em.create(LegacySchemaVersion, {
      id: '7',
      globalId: 7,
      organizationId: ORG,
      subjectId: SUBJECT,
      subject: 'orders',
      version: 1,
      type: 'JSON',
      schema: closed(['a']),
      canonicalSchema: closed(['a']),
      fingerprint: 'legacy-fingerprint',
      references: [],
      deleted: false,
      createdById: 'u-legacy',
      createdAt: t('2025-01-02T03:04:06.000Z'),
    });
    em.create(LegacyRegistrySettings, { organizationId: ORG, compatibility: 'NONE' });
    em.create(LegacyIdSequence, { name: 'schema-id', value: 9 });
    await em.flush();
    await legacy.close();

    // What the ORM would still change after boot: nothing but the base's columns on the two tables keyed by their own column.
    const pending = (await pendingSchemaChanges(db, { service: 'schemas', entities: SCHEMAS_ENTITIES }))
      .map((s) => s.replace(/[`"]/g, ''))
      // PostgreSQL adds a table's columns in one statement, SQLite in one each: compare one column a line.
      .flatMap((s) => {
        const match = /^alter table (\S+) (.*)$/s.exec(s);
        return match ? match[2]!.split(/, (?=add column)/).map((change) => `alter table ${match[1]} ${change}`) : [s];
      });
    expect(
      pending.map((s) =>
        s
          .replace(/ (datetime|timestamptz) null$/, ' <datetime> null')
          .replace(/ (text|varchar\(36\)) null/, ' <varchar> null'),
      ),
    ).toEqual([
      'alter table id_sequences add column id <varchar> null',
      'alter table id_sequences add column created_at <datetime> null',
      'alter table registry_settings add column id <varchar> null',
      'alter table registry_settings add column created_at <datetime> null',
    ]);

    orm = await openMigrated(db, { service: 'schemas', entities: SCHEMAS_ENTITIES, migrations: MIGRATIONS });
    // The old database is baselined: every migration recorded as applied, none left to run.
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    expect(await orm.schema.getUpdateSchemaSQL({ safe: true, dropTables: false, wrap: false })).toBe('');
    const read = orm.em.fork();
    expect(await read.findOneOrFail(SubjectEntity, { id: SUBJECT })).toMatchObject({
      organizationId: ORG,
      name: 'orders',
      compatibility: 'FULL',
      nextVersion: 2,
      createdAt: t('2025-01-02T03:04:05.000Z'),
      updatedAt: t('2025-02-03T04:05:06.000Z'),
    });
    expect(await read.findOneOrFail(SchemaVersion, { id: '7' })).toMatchObject({
      globalId: 7,
      organizationId: ORG,
      subject: 'orders',
      version: 1,
      createdById: 'u-legacy',
      createdAt: t('2025-01-02T03:04:06.000Z'),
    });
    expect(await read.findOneOrFail(RegistrySettingsEntity, { organizationId: ORG })).toMatchObject({
      compatibility: 'NONE',
      id: null,
      createdAt: null,
    });
    expect(await read.findOneOrFail(IdSequenceEntity, { name: 'schema-id' })).toMatchObject({
      value: 9,
      id: null,
      createdAt: null,
    });

    // The registry works on the old rows: the old subject's own mode (FULL) refuses a breaking change,
    // the old organization default (NONE) applies to a new subject, whose first version takes the
    // global id after the old sequence's.
    const { registry } = createSchemasServices({
      settings: { defaultCompatibility: 'BACKWARD', maxSchemaBytes: 64 * 1024, parsedCacheSize: 10 },
    });
    const viewer: Viewer = {
      id: 'u-new',
      organizationId: ORG,
      roles: [],
      permissions: ['schemas:read', 'schemas:write'],
      kind: 'user',
      issuedAt: Date.now(),
      token: 'unused',
      expiresAt: Date.now() + 60_000,
    };
    const scope = () => ({ viewer, em: orm!.em.fork() });
    expect((await registry.check(scope(), { subject: 'orders', type: 'JSON', schema: closed([]) })).compatible).toBe(
      false,
    );
    expect(await registry.organizationCompatibility(scope())).toBe('NONE');
    const { version, created } = await registry.register(scope(), {
      subject: 'payments',
      type: 'JSON',
      schema: closed(['a']),
    });
    expect({ created, id: version.id, version: version.version }).toEqual({ created: true, id: '10', version: 1 });
    expect((await registry.validate(scope(), 'orders', 1, { a: 'x', b: 'y' })).valid).toBe(false);
    expect((await registry.listSubjects(scope())).map((s) => s.name)).toEqual(['orders', 'payments']);
    // A settings row written now fills the added columns.
    await registry.setOrganizationCompatibility(
      { viewer: { ...viewer, organizationId: 'org-new' }, em: orm.em.fork() },
      'FORWARD',
    );
    expect(await orm.em.fork().findOneOrFail(RegistrySettingsEntity, { organizationId: 'org-new' })).toMatchObject({
      id: expect.any(String),
      createdAt: expect.any(Date),
    });
  });
});
