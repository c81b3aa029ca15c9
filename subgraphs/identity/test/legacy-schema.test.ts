// A database created before identity's entities extended lib's base entities still boots with no
// schema change at all and serves the same rows: the tables were made from the schema SQL printed
// then (legacy-schema/*.sql), rows written through classes of that shape (foreign keys as plain
// columns), and then the current entities sync, read them and sign in with them.
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { LegacyDatabase } from '../../../lib/src/testing/legacy-schema';
import {
  legacyDatabases,
  openLegacyDatabase,
  openMigrated,
  pendingSchemaChanges,
} from '../../../lib/src/testing/legacy-schema';
import { IDENTITY_ENTITIES } from '../src/identity.entities';
import { createIdentityServices } from '../src/identity.services';
import { PasswordHasher } from '../src/auth/password.hasher';
import { Membership } from '../src/organization/membership.entity';
import { Organization } from '../src/organization/organization.entity';
import { Role } from '../src/role/role.entity';
import { RoleAssignment } from '../src/role/role-assignment.entity';
import { Session } from '../src/session/session.entity';
import { ApiKey } from '../src/api-key/api-key.entity';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { RevocationRecord } from '../src/revocation/revocation.entity';
import { User } from '../src/user/user.entity';
import { BUILT_IN_ROLES } from '../src/permission/permission.catalog';
import { testSettings } from './support/test-settings';
import { MIGRATIONS } from '../src/migrations/index';

// The rows' shapes as the tables had them before the base entities (only the columns written here).
@Entity({ tableName: 'organizations' })
class LegacyOrganization {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'string', length: 63 }) slug!: string;
  @Property({ type: 'string', length: 200 }) name!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'users' })
class LegacyUser {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'string', length: 320 }) email!: string;
  @Property({ type: 'string', length: 200 }) name!: string;
  @Property({ type: 'string', length: 255, nullable: true }) passwordHash!: string | null;
  @Property({ type: 'boolean' }) disabled!: boolean;
  @Property({ type: 'integer' }) failedLoginCount!: number;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'memberships' })
class LegacyMembership {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'uuid' }) userId!: string;
  @Property({ type: 'uuid' }) organizationId!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'roles' })
class LegacyRole {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'uuid' }) organizationId!: string;
  @Property({ type: 'string', length: 63 }) name!: string;
  @Property({ type: 'string', length: 500 }) description!: string;
  @Property({ type: 'json' }) permissions!: string[];
  @Property({ type: 'boolean' }) builtIn!: boolean;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'role_assignments' })
class LegacyRoleAssignment {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'uuid' }) membershipId!: string;
  @Property({ type: 'uuid' }) roleId!: string;
  @Property({ type: 'string', length: 100 }) source!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'sessions' })
class LegacySession {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'uuid' }) userId!: string;
  @Property({ type: 'uuid' }) organizationId!: string;
  @Property({ type: 'string', length: 100 }) method!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
  @Property({ type: 'datetime' }) lastUsedAt!: Date;
  @Property({ type: 'datetime' }) expiresAt!: Date;
}

@Entity({ tableName: 'api_keys' })
class LegacyApiKey {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'uuid' }) organizationId!: string;
  @Property({ type: 'uuid' }) userId!: string;
  @Property({ type: 'string', length: 200 }) name!: string;
  @Property({ type: 'string', length: 32 }) prefix!: string;
  @Property({ type: 'string', length: 64 }) secretHash!: string;
  @Property({ type: 'json' }) roles!: string[];
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'audit_events' })
class LegacyAuditEvent {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'string', length: 64 }) type!: string;
  @Property({ type: 'boolean' }) success!: boolean;
  @Property({ type: 'string', length: 64, nullable: true }) organizationId!: string | null;
  @Property({ type: 'string', length: 20 }) actorKind!: string;
  @Property({ type: 'json' }) details!: Record<string, unknown>;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

@Entity({ tableName: 'revocations' })
class LegacyRevocation {
  @PrimaryKey({ type: 'uuid' }) id!: string;
  @Property({ type: 'string', length: 20 }) kind!: string;
  @Property({ type: 'string', length: 100 }) subjectId!: string;
  @Property({ type: 'datetime' }) until!: Date;
  @Property({ type: 'string', length: 50 }) reason!: string;
  @Property({ type: 'datetime' }) createdAt!: Date;
}

const LEGACY = [
  LegacyOrganization,
  LegacyUser,
  LegacyMembership,
  LegacyRole,
  LegacyRoleAssignment,
  LegacySession,
  LegacyApiKey,
  LegacyAuditEvent,
  LegacyRevocation,
];
const ORG = '0a000000-0000-4000-8000-000000000001';
const USER = '0b000000-0000-4000-8000-000000000001';
const MEMBERSHIP = '0c000000-0000-4000-8000-000000000001';
const OWNER_ROLE = '0d000000-0000-4000-8000-000000000001';
const ASSIGNMENT = '0e000000-0000-4000-8000-000000000001';
const SESSION = '0f000000-0000-4000-8000-000000000001';
const API_KEY = '1a000000-0000-4000-8000-000000000001';
const EVENT = '1b000000-0000-4000-8000-000000000001';
const REVOCATION = '1c000000-0000-4000-8000-000000000001';
const PASSWORD = 'a legacy password';
const t = (iso: string): Date => new Date(iso);
const SQL_DIR = path.join(__dirname, 'legacy-schema');

/** Builds the old tables from their printed SQL and writes one row of each kind, parents before children. */
async function writeLegacyRows(db: LegacyDatabase): Promise<void> {
  const legacy = await openLegacyDatabase(db, { service: 'identity', entities: LEGACY, sqlDir: SQL_DIR });
  const em = legacy.em.fork();
  em.create(LegacyOrganization, {
    id: ORG,
    slug: 'legacy',
    name: 'Legacy Inc',
    createdAt: t('2025-01-01T00:00:00.000Z'),
  });
  em.create(LegacyUser, {
    id: USER,
    email: 'old@example.com',
    name: 'Old Owner',
    passwordHash: await new PasswordHasher().hash(PASSWORD),
    disabled: false,
    failedLoginCount: 0,
    createdAt: t('2025-01-02T00:00:00.000Z'),
  });
  await em.flush();
  em.create(LegacyMembership, {
    id: MEMBERSHIP,
    userId: USER,
    organizationId: ORG,
    createdAt: t('2025-01-03T00:00:00.000Z'),
  });
  em.create(LegacyRole, {
    id: OWNER_ROLE,
    organizationId: ORG,
    name: 'owner',
    description: 'Owner',
    permissions: [...BUILT_IN_ROLES.owner.permissions],
    builtIn: true,
    createdAt: t('2025-01-04T00:00:00.000Z'),
  });
  await em.flush();
  em.create(LegacyRoleAssignment, {
    id: ASSIGNMENT,
    membershipId: MEMBERSHIP,
    roleId: OWNER_ROLE,
    source: 'manual',
    createdAt: t('2025-01-05T00:00:00.000Z'),
  });
  em.create(LegacySession, {
    id: SESSION,
    userId: USER,
    organizationId: ORG,
    method: 'password',
    createdAt: t('2025-01-06T00:00:00.000Z'),
    lastUsedAt: t('2025-01-06T00:00:00.000Z'),
    expiresAt: t('2999-01-01T00:00:00.000Z'),
  });
  em.create(LegacyApiKey, {
    id: API_KEY,
    organizationId: ORG,
    userId: USER,
    name: 'old key',
    prefix: 'OLDPREFIX123',
    secretHash: 'a'.repeat(64),
    roles: ['owner'],
    createdAt: t('2025-01-07T00:00:00.000Z'),
  });
  em.create(LegacyAuditEvent, {
    id: EVENT,
    type: 'login.failed',
    success: false,
    organizationId: null,
    actorKind: 'anonymous',
    details: { email: 'x@example.com' },
    createdAt: t('2025-01-08T00:00:00.000Z'),
  });
  em.create(LegacyRevocation, {
    id: REVOCATION,
    kind: 'session',
    subjectId: 'gone-session',
    until: t('2999-01-01T00:00:00.000Z'),
    reason: 'logout',
    createdAt: t('2025-01-09T00:00:00.000Z'),
  });
  await em.flush();
  await legacy.close();
}

describe.each(legacyDatabases('identity'))('an identity database from before the base entities, on $label', (db) => {
  let orm: MikroORM | undefined;
  afterAll(async () => {
    await orm?.close(true);
    await db.drop();
  });

  it('boots with no schema change and reads and uses every old row', async () => {
    await writeLegacyRows(db);

    expect(await pendingSchemaChanges(db, { service: 'identity', entities: IDENTITY_ENTITIES })).toEqual([]);

    orm = await openMigrated(db, { service: 'identity', entities: IDENTITY_ENTITIES, migrations: MIGRATIONS });
    // The old database is baselined: every migration recorded as applied, none left to run.
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
    const read = orm.em.fork();
    expect(await read.findOneOrFail(Organization, { id: ORG })).toMatchObject({
      slug: 'legacy',
      createdAt: t('2025-01-01T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(User, { id: USER })).toMatchObject({
      email: 'old@example.com',
      createdAt: t('2025-01-02T00:00:00.000Z'),
    });
    const membership = await read.findOneOrFail(Membership, { id: MEMBERSHIP }, { populate: ['user'] });
    expect(membership).toMatchObject({
      organizationId: ORG,
      user: { email: 'old@example.com' },
      createdAt: t('2025-01-03T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(Role, { organizationId: ORG, name: 'owner' })).toMatchObject({
      id: OWNER_ROLE,
      builtIn: true,
      createdAt: t('2025-01-04T00:00:00.000Z'),
    });
    const assignment = await read.findOneOrFail(
      RoleAssignment,
      { id: ASSIGNMENT },
      { populate: ['role', 'membership'] },
    );
    expect(assignment).toMatchObject({
      role: { name: 'owner' },
      membership: { organizationId: ORG },
      createdAt: t('2025-01-05T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(Session, { id: SESSION })).toMatchObject({
      organizationId: ORG,
      user: { id: USER },
      createdAt: t('2025-01-06T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(ApiKey, { id: API_KEY })).toMatchObject({
      organizationId: ORG,
      user: { id: USER },
      prefix: 'OLDPREFIX123',
      createdAt: t('2025-01-07T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(AuditEvent, { id: EVENT })).toMatchObject({
      organizationId: null,
      createdAt: t('2025-01-08T00:00:00.000Z'),
    });
    expect(await read.findOneOrFail(RevocationRecord, { id: REVOCATION })).toMatchObject({
      subjectId: 'gone-session',
      createdAt: t('2025-01-09T00:00:00.000Z'),
    });

    // The services work on the old rows: the legacy owner signs in to its organization with its role.
    const services = createIdentityServices({ settings: testSettings() });
    expect(await services.revocations.live(orm.em.fork())).toEqual([
      expect.objectContaining({ kind: 'session', id: 'gone-session' }),
    ]);
    const signedIn = await services.auth.login({ viewer: null, em: orm.em.fork() }, 'old@example.com', PASSWORD);
    expect(signedIn).toMatchObject({ user: { id: USER }, organization: { id: ORG, slug: 'legacy' } });
    const viewer = await services.verifier.verify(orm.em.fork(), signedIn.accessToken);
    expect(viewer).toMatchObject({ id: USER, organizationId: ORG, roles: ['owner'] });
    expect((await services.sessions.visible({ viewer, em: orm.em.fork() })).map((s) => s.id)).toEqual(
      expect.arrayContaining([SESSION, signedIn.sessionId]),
    );
    expect((await services.apiKeys.visible({ viewer, em: orm.em.fork() })).map((k) => k.id)).toEqual([API_KEY]);
    expect((await services.organizations.mine({ viewer, em: orm.em.fork() })).map((o) => o.id)).toEqual([ORG]);
  });
});
