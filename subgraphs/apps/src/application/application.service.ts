import type { EntityManager } from '@mikro-orm/core';
import type { Viewer } from '../../../../lib/src/index';
import { BadUserInputError, ConflictError, NotFoundError, assertSameOrganization } from '../../../../lib/src/index';
import { Application } from './application.entity';

const ENVIRONMENT = /^[a-z][a-z0-9-]{0,30}$/;
export const DEFAULT_ENVIRONMENTS = ['dev', 'staging', 'production'];

/** Creates, reads, updates and lists applications within the viewer's organization. */
export class ApplicationService {
  async get(em: EntityManager, viewer: Viewer | null, id: string): Promise<Application> {
    const app = await em.findOne(Application, { id });
    if (!app) throw new NotFoundError('Application', id);
    assertSameOrganization(viewer, app.organizationId);
    return app;
  }

  list(em: EntityManager, viewer: Viewer): Promise<Application[]> {
    return em.find(Application, { organizationId: viewer.organizationId }, { orderBy: { name: 'asc' } });
  }

  async create(em: EntityManager, viewer: Viewer, input: { name: string; description?: string | null; environments?: string[] | null; ownerId?: string | null }): Promise<Application> {
    const name = input.name.trim();
    const environments = input.environments ?? DEFAULT_ENVIRONMENTS;
    this.check(name, environments);
    if (await em.findOne(Application, { organizationId: viewer.organizationId, name })) throw new ConflictError(`An application named "${name}" exists`);
    const app = em.create(Application, {
      organizationId: viewer.organizationId,
      name,
      description: input.description ?? null,
      environments,
      ownerId: input.ownerId ?? viewer.id,
      createdById: viewer.id,
    });
    await em.flush();
    return app;
  }

  async update(em: EntityManager, viewer: Viewer, id: string, input: { description?: string | null; environments?: string[] | null; ownerId?: string | null }): Promise<Application> {
    const app = await this.get(em, viewer, id);
    if (input.environments) {
      this.check(app.name, input.environments);
      app.environments = input.environments;
    }
    if (input.description !== undefined) app.description = input.description;
    if (input.ownerId) app.ownerId = input.ownerId;
    await em.flush();
    return app;
  }

  private check(name: string, environments: string[]): void {
    const fields: { field: string; message: string }[] = [];
    if (!name || name.length > 100) fields.push({ field: 'name', message: 'must be 1 to 100 characters' });
    if (environments.length === 0) fields.push({ field: 'environments', message: 'at least one environment' });
    environments.forEach((e, i) => {
      if (!ENVIRONMENT.test(e)) fields.push({ field: `environments.${i}`, message: 'lower-case letters, digits and -, starting with a letter (at most 31)' });
    });
    if (new Set(environments).size !== environments.length) fields.push({ field: 'environments', message: 'each environment once' });
    if (fields.length > 0) throw new BadUserInputError('Invalid application', fields);
  }
}
