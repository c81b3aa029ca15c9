import type { EntityManager } from '@mikro-orm/core';
import type { Viewer } from '../../../../lib/src/index';
import { SchemasInternalClient } from '../../../../lib/contracts/index';
import { BadUserInputError, NotFoundError, assertSameOrganization, parseUserJson } from '../../../../lib/src/index';
import { InvalidInputError } from '../common/invalid-input.error';
import type { ApplicationService } from '../application/application.service';
import { buildConfigSnapshot } from './config-snapshot.builder';
import type { ConfigEntryInput } from './config-snapshot.builder';
import { diffConfig } from './config.differ';
import type { ConfigChange } from './config.differ';
import { ConfigVersion } from './config-version.entity';

/**
 * Immutable configuration versions of applications. Values may be validated against a JSON Schema
 * held by the schemas service (`GET /internal/schema-versions/:id`, as the caller).
 */
export class ConfigVersionService {
  constructor(
    private readonly applications: ApplicationService,
    private readonly schemasUrl: string,
  ) {}

  async get(em: EntityManager, viewer: Viewer | null, id: string): Promise<ConfigVersion> {
    const version = await em.findOne(ConfigVersion, { id });
    if (!version) throw new NotFoundError('ConfigVersion', id);
    assertSameOrganization(viewer, version.organizationId);
    return version;
  }

  list(em: EntityManager, applicationId: string): Promise<ConfigVersion[]> {
    return em.find(ConfigVersion, { applicationId }, { orderBy: { version: 'desc' } });
  }

  async create(
    em: EntityManager,
    viewer: Viewer,
    input: { applicationId: string; entries: ConfigEntryInput[]; schemaVersionId?: string | null; note?: string | null },
    authorization: string | undefined,
  ): Promise<ConfigVersion> {
    const app = await this.applications.get(em, viewer, input.applicationId);
    const schema = input.schemaVersionId ? await this.fetchSchema(input.schemaVersionId, authorization) : null;
    let snapshot;
    try {
      snapshot = buildConfigSnapshot(input.entries, schema);
    } catch (error) {
      if (error instanceof InvalidInputError) throw new BadUserInputError('Invalid configuration', error.fields);
      throw error;
    }
    return this.store(em, viewer, app.id, snapshot.entries, snapshot.checksum, input.schemaVersionId ?? null, input.note ?? null);
  }

  /** A new version whose entries are exactly those of an earlier one. */
  async restore(em: EntityManager, viewer: Viewer, applicationId: string, version: number): Promise<ConfigVersion> {
    await this.applications.get(em, viewer, applicationId);
    const old = await em.findOne(ConfigVersion, { applicationId, version });
    if (!old) throw new NotFoundError('ConfigVersion', `${applicationId}@${version}`);
    return this.store(em, viewer, applicationId, old.storedEntries, old.checksum, old.schemaVersionId ?? null, `restored from version ${version}`);
  }

  async diff(em: EntityManager, viewer: Viewer, fromId: string, toId: string): Promise<ConfigChange[]> {
    const [from, to] = [await this.get(em, viewer, fromId), await this.get(em, viewer, toId)];
    if (from.applicationId !== to.applicationId) throw new BadUserInputError('Versions of different applications', [{ field: 'to', message: 'must belong to the same application as from' }]);
    return diffConfig(from.storedEntries, to.storedEntries);
  }

  private async store(em: EntityManager, viewer: Viewer, applicationId: string, entries: ConfigVersion['storedEntries'], checksum: string, schemaVersionId: string | null, note: string | null) {
    const latest = await em.findOne(ConfigVersion, { applicationId }, { orderBy: { version: 'desc' } });
    const version = em.create(ConfigVersion, {
      organizationId: viewer.organizationId,
      applicationId,
      version: (latest?.version ?? 0) + 1,
      storedEntries: entries,
      checksum,
      schemaVersionId,
      note,
      createdById: viewer.id,
    });
    await em.flush();
    return version;
  }

  private async fetchSchema(id: string, authorization: string | undefined): Promise<Record<string, unknown>> {
    if (!authorization) throw new BadUserInputError('A schema version needs an authenticated caller', [{ field: 'schemaVersionId', message: 'cannot be read' }]);
    const body = await new SchemasInternalClient(this.schemasUrl).getSchemaVersion(id, authorization);
    if (!/json/i.test(body.type)) throw new BadUserInputError('Config values are validated with JSON Schema only', [{ field: 'schemaVersionId', message: `is a ${body.type} schema` }]);
    const schema = typeof body.schema === 'string' ? parseUserJson(body.schema, 'schemaVersionId') : body.schema;
    return schema as Record<string, unknown>;
  }
}
