import type { EntityManager } from '@mikro-orm/core';
import type { Viewer } from '../../../../lib/src/index';
import { BadUserInputError, ConflictError, NotFoundError, assertSameOrganization } from '../../../../lib/src/index';
import type { ExecutionProvider } from '../runtime/execution-provider';
import type { ModelArtifactSource } from '../serving/model-artifact.source';
import { Endpoint, type StoredRoute } from './endpoint.entity';
import type { BatchingInput, CreateEndpointInput, RouteInput, UpdateEndpointInput, WarmupDimInput } from './endpoint.input';

type FieldError = { field: string; message: string };

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

function checkRoutes(routes: RouteInput[], errors: FieldError[]): StoredRoute[] {
  if (routes.length === 0) errors.push({ field: 'routes', message: 'needs at least one route' });
  const seen = new Set<string>();
  routes.forEach((r, i) => {
    if (!Number.isFinite(r.weight) || r.weight < 0) errors.push({ field: `routes[${i}].weight`, message: 'must be a non-negative number' });
    if (seen.has(r.modelVersion)) errors.push({ field: `routes[${i}].modelVersion`, message: 'is routed twice' });
    seen.add(r.modelVersion);
  });
  if (routes.length > 0 && routes.every((r) => !(r.weight > 0))) errors.push({ field: 'routes', message: 'at least one route needs a positive weight' });
  return routes.map((r) => ({ modelVersionId: r.modelVersion, weight: r.weight }));
}

function checkBatching(b: BatchingInput, errors: FieldError[]): void {
  if (!Number.isInteger(b.maxBatchSize) || b.maxBatchSize < 1 || b.maxBatchSize > 4096) errors.push({ field: 'batching.maxBatchSize', message: 'must be an integer from 1 to 4096' });
  if (!Number.isFinite(b.maxQueueDelayMs) || b.maxQueueDelayMs < 0 || b.maxQueueDelayMs > 10_000) errors.push({ field: 'batching.maxQueueDelayMs', message: 'must be from 0 to 10000 ms' });
}

const MAX_REPLICAS = 64;

function checkReplicas(replicas: number, errors: FieldError[]): void {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS) errors.push({ field: 'replicas', message: `must be an integer from 1 to ${MAX_REPLICAS}` });
}

function checkProviders(p: string[], errors: FieldError[]): void {
  if (p.length === 0) errors.push({ field: 'executionProviders', message: 'needs at least one provider' });
  if (new Set(p).size !== p.length) errors.push({ field: 'executionProviders', message: 'lists a provider twice' });
}

function warmupRecord(dims: WarmupDimInput[], errors: FieldError[]): Record<string, number> {
  const out: Record<string, number> = {};
  dims.forEach((d, i) => {
    if (!d.name) errors.push({ field: `warmupDims[${i}].name`, message: 'must not be empty' });
    if (!Number.isInteger(d.size) || d.size < 1 || d.size > 1_000_000) errors.push({ field: `warmupDims[${i}].size`, message: 'must be an integer from 1 to 1000000' });
    out[d.name] = d.size;
  });
  return out;
}

/** Creates, changes and finds endpoints, organization-scoped, with every setting checked. */
export class EndpointService {
  private readonly hot = new Map<string, { endpoint: Endpoint; until: number }>();

  constructor(
    private readonly source: ModelArtifactSource,
    private readonly defaultProviders: readonly ExecutionProvider[],
    /** How long the prediction path may reuse an endpoint it looked up (0 turns the cache off). */
    private readonly cacheMs = 1000,
  ) {}

  /**
   * `find` for the prediction path: reuses a lookup for up to `cacheMs`, because a database query
   * per prediction costs more than a small model. Changes made through this replica apply at once;
   * those made through another replica apply within `cacheMs`.
   * @param em called only when the endpoint is looked up (a request's fork is made on first use)
   */
  async findForPrediction(em: () => EntityManager, viewer: Viewer, idOrName: string): Promise<Endpoint> {
    const key = `${viewer.organizationId}|${idOrName}`;
    const hit = this.hot.get(key);
    if (hit && hit.until > Date.now()) return hit.endpoint;
    const endpoint = await this.find(em(), viewer, idOrName);
    if (this.cacheMs > 0) {
      if (this.hot.size > 10_000) this.hot.clear();
      this.hot.set(key, { endpoint, until: Date.now() + this.cacheMs });
    }
    return endpoint;
  }

  private forget(endpointId: string): void {
    for (const [key, v] of this.hot) if (v.endpoint.id === endpointId) this.hot.delete(key);
  }

  /** An endpoint of the viewer's organization by id or name. @throws NOT_FOUND, FORBIDDEN */
  async find(em: EntityManager, viewer: Viewer, idOrName: string): Promise<Endpoint> {
    const byId = await em.findOne(Endpoint, { id: idOrName });
    if (byId) {
      assertSameOrganization(viewer, byId.organizationId);
      return byId;
    }
    const byName = await em.findOne(Endpoint, { organizationId: viewer.organizationId, name: idOrName });
    if (!byName) throw new NotFoundError('Endpoint', idOrName);
    return byName;
  }

  async create(em: EntityManager, viewer: Viewer, input: CreateEndpointInput, authorization?: string): Promise<Endpoint> {
    const errors: FieldError[] = [];
    if (!NAME.test(input.name)) errors.push({ field: 'name', message: 'use 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit' });
    const routes = checkRoutes(input.routes, errors);
    const batching = input.batching ?? { maxBatchSize: 1, maxQueueDelayMs: 0 };
    checkBatching(batching, errors);
    const replicas = input.replicas ?? 1;
    checkReplicas(replicas, errors);
    const providers = (input.executionProviders ?? [...this.defaultProviders]) as ExecutionProvider[];
    checkProviders(providers, errors);
    const warmupDims = warmupRecord(input.warmupDims ?? [], errors);
    if (errors.length) throw new BadUserInputError('Invalid endpoint', errors);
    await this.checkVersions(em, viewer, routes, input.shadowModelVersion ?? null, authorization);
    if (await em.count(Endpoint, { organizationId: viewer.organizationId, name: input.name })) throw new ConflictError(`An endpoint named ${input.name} exists`);
    const endpoint = em.create(Endpoint, {
      organizationId: viewer.organizationId,
      name: input.name,
      description: input.description ?? null,
      routes,
      shadowModelVersionId: input.shadowModelVersion ?? null,
      maxBatchSize: batching.maxBatchSize,
      maxQueueDelayMs: batching.maxQueueDelayMs,
      replicas,
      executionProviders: providers,
      warmupDims,
      createdById: viewer.id,
    });
    await em.flush();
    return endpoint;
  }

  async update(em: EntityManager, viewer: Viewer, id: string, input: UpdateEndpointInput, authorization?: string): Promise<Endpoint> {
    const endpoint = await this.find(em, viewer, id);
    const errors: FieldError[] = [];
    if (input.name !== undefined && input.name !== null && !NAME.test(input.name)) errors.push({ field: 'name', message: 'use 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit' });
    const routes = input.routes ? checkRoutes(input.routes, errors) : endpoint.routes;
    if (input.batching) checkBatching(input.batching, errors);
    if (input.replicas !== undefined && input.replicas !== null) checkReplicas(input.replicas, errors);
    if (input.executionProviders) checkProviders(input.executionProviders, errors);
    const warmupDims = input.warmupDims ? warmupRecord(input.warmupDims, errors) : endpoint.warmupDims;
    if (errors.length) throw new BadUserInputError('Invalid endpoint', errors);
    const shadow = input.clearShadow ? null : (input.shadowModelVersion ?? endpoint.shadowModelVersionId ?? null);
    await this.checkVersions(em, viewer, routes, shadow, authorization);
    if (input.name && input.name !== endpoint.name && (await em.count(Endpoint, { organizationId: viewer.organizationId, name: input.name }))) {
      throw new ConflictError(`An endpoint named ${input.name} exists`);
    }
    this.forget(endpoint.id);
    em.assign(endpoint, {
      name: input.name ?? endpoint.name,
      description: input.description ?? endpoint.description,
      routes,
      shadowModelVersionId: shadow,
      maxBatchSize: input.batching?.maxBatchSize ?? endpoint.maxBatchSize,
      maxQueueDelayMs: input.batching?.maxQueueDelayMs ?? endpoint.maxQueueDelayMs,
      replicas: input.replicas ?? endpoint.replicas,
      executionProviders: (input.executionProviders as ExecutionProvider[] | undefined) ?? endpoint.executionProviders,
      warmupDims,
      updatedAt: new Date(),
    });
    await em.flush();
    return endpoint;
  }

  async delete(em: EntityManager, viewer: Viewer, id: string): Promise<Endpoint> {
    const endpoint = await this.find(em, viewer, id);
    await em.removeAndFlush(endpoint);
    this.forget(endpoint.id);
    return endpoint;
  }

  private async checkVersions(em: EntityManager, viewer: Viewer, routes: StoredRoute[], shadow: string | null, authorization?: string): Promise<void> {
    const wanted = routes.map((r, i) => ({ id: r.modelVersionId, field: `routes[${i}].modelVersion` }));
    if (shadow) wanted.push({ id: shadow, field: 'shadowModelVersion' });
    const errors: FieldError[] = [];
    await Promise.all(
      wanted.map(async ({ id, field }) => {
        try {
          await this.source.describe(em, id, viewer.organizationId, authorization);
        } catch (error) {
          errors.push({ field, message: `model version ${id} cannot be served: ${(error as Error).message}` });
        }
      }),
    );
    if (errors.length) throw new BadUserInputError('Model versions cannot be served', errors);
  }
}
