import type { EntityManager } from '@mikro-orm/core';
import { BadUserInputError, ConflictError, NotFoundError, assertSameOrganization } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { Deployment } from '../deployment/deployment.entity';
import type { DeploymentRepository } from '../deployment/deployment.repository';
import { Application } from './application.entity';
import type { ApplicationRepository } from './application.repository';

const ENVIRONMENT = /^[a-z][a-z0-9-]{0,30}$/;
export const DEFAULT_ENVIRONMENTS = ['dev', 'staging', 'production'];

/** Creates, reads, updates and lists applications within the viewer's organization. */
export class ApplicationService {
  constructor(
    private readonly applications: ApplicationRepository,
    private readonly deployments: DeploymentRepository,
  ) {}

  /**
   * @throws NotFoundError when there is no such application, ForbiddenError when it belongs to another organization
   */
  async get(scope: RequestScope, id: string): Promise<Application> {
    const app = await this.applications.findById(scope.em, id);
    if (!app) throw new NotFoundError('Application', id);
    assertSameOrganization(scope.viewer, app.organizationId);
    return app;
  }

  /** The application for another subgraph: null unless it belongs to the viewer's organization. */
  async visible(scope: RequestScope, id: string): Promise<Application | null> {
    const app = await this.applications.findById(scope.em, id);
    return app && app.organizationId === scope.viewer.organizationId ? app : null;
  }

  /** An application by id, for work without a viewer (a deployment's own application). */
  async byId(em: EntityManager, id: string): Promise<Application> {
    const app = await this.applications.findById(em, id);
    if (!app) throw new NotFoundError('Application', id);
    return app;
  }

  list(scope: RequestScope): Promise<Application[]> {
    return this.applications.listInOrganization(scope.em, scope.viewer.organizationId);
  }

  /** The application's current deployments, one per environment (deleted ones left out). */
  deploymentsOf(scope: RequestScope, app: Application): Promise<Deployment[]> {
    return this.deployments.listLiveOfApplication(scope.em, app.id);
  }

  async create(
    scope: RequestScope,
    input: { name: string; description?: string | null; environments?: string[] | null; ownerId?: string | null },
  ): Promise<Application> {
    const { viewer, em } = scope;
    const name = input.name.trim();
    const environments = input.environments ?? DEFAULT_ENVIRONMENTS;
    this.check(name, environments);
    if (await this.applications.findByName(em, viewer.organizationId, name))
      throw new ConflictError(`An application named "${name}" exists`);
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

  async update(
    scope: RequestScope,
    id: string,
    input: { description?: string | null; environments?: string[] | null; ownerId?: string | null },
  ): Promise<Application> {
    const app = await this.get(scope, id);
    if (input.environments) {
      this.check(app.name, input.environments);
      app.environments = input.environments;
    }
    if (input.description !== undefined) app.description = input.description;
    if (input.ownerId) app.ownerId = input.ownerId;
    await scope.em.flush();
    return app;
  }

  private check(name: string, environments: string[]): void {
    const fields: { field: string; message: string }[] = [];
    if (!name || name.length > 100) fields.push({ field: 'name', message: 'must be 1 to 100 characters' });
    if (environments.length === 0) fields.push({ field: 'environments', message: 'at least one environment' });
    environments.forEach((e, i) => {
      if (!ENVIRONMENT.test(e))
        fields.push({
          field: `environments.${i}`,
          message: 'lower-case letters, digits and -, starting with a letter (at most 31)',
        });
    });
    if (new Set(environments).size !== environments.length)
      fields.push({ field: 'environments', message: 'each environment once' });
    if (fields.length > 0) throw new BadUserInputError('Invalid application', fields);
  }
}
