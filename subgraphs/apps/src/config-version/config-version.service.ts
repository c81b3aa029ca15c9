import type { EntityManager } from '@mikro-orm/core';
import { SchemasInternalClient } from '../../../../lib/contracts/index';
import { BadUserInputError, NotFoundError, assertSameOrganization, parseUserJson } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import { InvalidInputError } from '../common/invalid-input.error';
import type { Application } from '../application/application.entity';
import type { ApplicationService } from '../application/application.service';
import { buildConfigSnapshot } from './config-snapshot.builder';
import type { ConfigEntryInput } from './config-snapshot.builder';
import { diffConfig } from './config.differ';
import { ConfigVersion } from './config-version.entity';
import type { ConfigVersionRepository } from './config-version.repository';
import { toConfigChange } from './config-version.type';
import type { ConfigChange } from './config-version.type';

/**
 * Immutable configuration versions of applications. Values may be validated against a JSON Schema
 * held by the schemas service (`GET /internal/schema-versions/:id`, as the caller).
 */
export class ConfigVersionService {
  constructor(
    private readonly versions: ConfigVersionRepository,
    private readonly applications: ApplicationService,
    private readonly schemasUrl: string,
  ) {}

  /**
   * @throws NotFoundError when there is no such version, ForbiddenError when it belongs to another organization
   */
  async get(scope: RequestScope, id: string): Promise<ConfigVersion> {
    const version = await this.versions.findById(scope.em, id);
    if (!version) throw new NotFoundError('ConfigVersion', id);
    assertSameOrganization(scope.viewer, version.organizationId);
    return version;
  }

  /** The version for another subgraph: null unless it belongs to the viewer's organization. */
  async visible(scope: RequestScope, id: string): Promise<ConfigVersion | null> {
    const version = await this.versions.findById(scope.em, id);
    return version && version.organizationId === scope.viewer.organizationId ? version : null;
  }

  /** The application's versions, newest first. */
  listOf(scope: RequestScope, app: Application): Promise<ConfigVersion[]> {
    return this.versions.listForApplication(scope.em, app.id);
  }

  /** A version by id without an access check: the caller already holds what refers to it (a deployment). */
  byId(em: EntityManager, id: string): Promise<ConfigVersion | null> {
    return this.versions.findById(em, id);
  }

  /**
   * The application's version `id`.
   * @throws BadUserInputError (field `configVersionId`) when it is not a version of the application
   */
  async ofApplication(em: EntityManager, applicationId: string, id: string): Promise<ConfigVersion> {
    const version = await this.versions.findInApplication(em, applicationId, id);
    if (!version)
      throw new BadUserInputError('Unknown config version', [
        { field: 'configVersionId', message: 'is not a version of this application' },
      ]);
    return version;
  }

  async create(
    scope: RequestScope,
    input: {
      applicationId: string;
      entries: ConfigEntryInput[];
      schemaVersionId?: string | null;
      note?: string | null;
    },
    authorization: string | undefined,
  ): Promise<ConfigVersion> {
    const app = await this.applications.get(scope, input.applicationId);
    const schema = input.schemaVersionId ? await this.fetchSchema(input.schemaVersionId, authorization) : null;
    let snapshot;
    try {
      snapshot = buildConfigSnapshot(input.entries, schema);
    } catch (error) {
      if (error instanceof InvalidInputError) throw new BadUserInputError('Invalid configuration', error.fields);
      throw error;
    }
    return this.store(
      scope,
      app.id,
      snapshot.entries,
      snapshot.checksum,
      input.schemaVersionId ?? null,
      input.note ?? null,
    );
  }

  /** A new version whose entries are exactly those of an earlier one. */
  async restore(scope: RequestScope, applicationId: string, version: number): Promise<ConfigVersion> {
    await this.applications.get(scope, applicationId);
    const old = await this.versions.findNumbered(scope.em, applicationId, version);
    if (!old) throw new NotFoundError('ConfigVersion', `${applicationId}@${version}`);
    return this.store(
      scope,
      applicationId,
      old.storedEntries,
      old.checksum,
      old.schemaVersionId ?? null,
      `restored from version ${version}`,
    );
  }

  /** What changed from one version to another of the same application, key by key. */
  async diff(scope: RequestScope, fromId: string, toId: string): Promise<ConfigChange[]> {
    const [from, to] = [await this.get(scope, fromId), await this.get(scope, toId)];
    if (from.applicationId !== to.applicationId)
      throw new BadUserInputError('Versions of different applications', [
        { field: 'to', message: 'must belong to the same application as from' },
      ]);
    return diffConfig(from.storedEntries, to.storedEntries).map(toConfigChange);
  }

  private async store(
    scope: RequestScope,
    applicationId: string,
    entries: ConfigVersion['storedEntries'],
    checksum: string,
    schemaVersionId: string | null,
    note: string | null,
  ) {
    const { viewer, em } = scope;
    const latest = await this.versions.latest(em, applicationId);
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
    if (!authorization)
      throw new BadUserInputError('A schema version needs an authenticated caller', [
        { field: 'schemaVersionId', message: 'cannot be read' },
      ]);
    const body = await new SchemasInternalClient(this.schemasUrl).getSchemaVersion(id, authorization);
    if (!/json/i.test(body.type))
      throw new BadUserInputError('Config values are validated with JSON Schema only', [
        { field: 'schemaVersionId', message: `is a ${body.type} schema` },
      ]);
    const schema = typeof body.schema === 'string' ? parseUserJson(body.schema, 'schemaVersionId') : body.schema;
    return schema as Record<string, unknown>;
  }
}
