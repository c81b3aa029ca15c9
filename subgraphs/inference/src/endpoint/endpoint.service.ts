import type { EntityManager } from '@mikro-orm/core';
import type { InferencePodIdentity } from '../../../../lib/contracts/index';
import type { Logger } from '../../../../lib/src/index';
import { BadUserInputError, ConflictError, NotFoundError, assertSameOrganization } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import { intervalIterable } from '../common/interval.iterable';
import type { ExecutionProvider } from '../runtime/execution-provider';
import { describeInputs, inputsDiffer, inputsFromOnnx, type TensorSpec } from '../runtime/model-signature';
import type { CachedModelVersion } from '../serving/cached-model-version.entity';
import type { ModelArtifactSource } from '../serving/model-artifact.source';
import type { ServingRegistry } from '../serving/serving.registry';
import { Endpoint, type StoredRoute } from './endpoint.entity';
import { servesOtherwise, type EndpointLineage } from './endpoint.lineage';
import type {
  BatchingInput,
  CreateEndpointInput,
  RouteInput,
  UpdateEndpointInput,
  WarmupDimInput,
} from './endpoint.input';
import type { EndpointMetricsEvent, VersionMetrics, VersionReadiness } from './endpoint.types';
import type { EndpointRepository } from './endpoint.repository';
import { endpointStatus, toVersionMetrics, toVersionReadiness } from './endpoint.view';
import { localView, type AggregateStatus, type LocalEndpointState, type ReplicaStates } from './replica-states';

type FieldError = { field: string; message: string };

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

function checkRoutes(routes: RouteInput[], errors: FieldError[]): StoredRoute[] {
  if (routes.length === 0) errors.push({ field: 'routes', message: 'needs at least one route' });
  const seen = new Set<string>();
  routes.forEach((r, i) => {
    if (!Number.isFinite(r.weight) || r.weight < 0)
      errors.push({ field: `routes[${i}].weight`, message: 'must be a non-negative number' });
    if (seen.has(r.modelVersion)) errors.push({ field: `routes[${i}].modelVersion`, message: 'is routed twice' });
    seen.add(r.modelVersion);
  });
  if (routes.length > 0 && routes.every((r) => !(r.weight > 0)))
    errors.push({ field: 'routes', message: 'at least one route needs a positive weight' });
  return routes.map((r) => ({ modelVersionId: r.modelVersion, weight: r.weight }));
}

function checkBatching(b: BatchingInput, errors: FieldError[]): void {
  if (!Number.isInteger(b.maxBatchSize) || b.maxBatchSize < 1 || b.maxBatchSize > 4096)
    errors.push({ field: 'batching.maxBatchSize', message: 'must be an integer from 1 to 4096' });
  if (!Number.isFinite(b.maxQueueDelayMs) || b.maxQueueDelayMs < 0 || b.maxQueueDelayMs > 10_000)
    errors.push({ field: 'batching.maxQueueDelayMs', message: 'must be from 0 to 10000 ms' });
}

const MAX_REPLICAS = 64;

function checkReplicas(replicas: number, errors: FieldError[]): void {
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS)
    errors.push({ field: 'replicas', message: `must be an integer from 1 to ${MAX_REPLICAS}` });
}

function checkProviders(p: string[], errors: FieldError[]): void {
  if (p.length === 0) errors.push({ field: 'executionProviders', message: 'needs at least one provider' });
  if (new Set(p).size !== p.length) errors.push({ field: 'executionProviders', message: 'lists a provider twice' });
}

function warmupRecord(dims: WarmupDimInput[], errors: FieldError[]): Record<string, number> {
  const out: Record<string, number> = {};
  dims.forEach((d, i) => {
    if (!d.name) errors.push({ field: `warmupDims[${i}].name`, message: 'must not be empty' });
    if (!Number.isInteger(d.size) || d.size < 1 || d.size > 1_000_000)
      errors.push({ field: `warmupDims[${i}].size`, message: 'must be an integer from 1 to 1000000' });
    out[d.name] = d.size;
  });
  return out;
}

/** Settings the endpoint service is built with (config.ts). */
export interface EndpointSettings {
  /** Providers of an endpoint created without its own list. */
  defaultProviders: readonly ExecutionProvider[];
  /** How long the prediction path may reuse an endpoint it looked up (0 turns the cache off). */
  cacheMs: number;
  /** Every replica's state of each endpoint (status is their aggregate); without it, status is this replica's. */
  replicaStates?: ReplicaStates;
  /** Reports what each endpoint serves to the catalog (off without a service secret). */
  lineage?: EndpointLineage;
}

/**
 * Creates, changes and finds endpoints, organization-scoped, with every setting checked, and reports
 * their live state (loading, metrics, replicas in use) from the serving registry. Built once per process.
 */
export class EndpointService {
  private readonly hot = new Map<string, { endpoint: Endpoint; until: number }>();

  constructor(
    private readonly endpoints: EndpointRepository,
    private readonly source: ModelArtifactSource,
    private readonly serving: ServingRegistry,
    private readonly settings: EndpointSettings,
    private readonly clock: Clock,
  ) {}

  /**
   * `get` for the prediction path: reuses a lookup for up to `cacheMs`, because a database query
   * per prediction costs more than a small model. Changes made through this replica apply at once;
   * those made through another replica apply within `cacheMs`. `scope.em` is read only when the
   * endpoint is looked up (a request's fork is made on first use).
   */
  async forPrediction(scope: RequestScope, idOrName: string): Promise<Endpoint> {
    const key = `${scope.viewer.organizationId}|${idOrName}`;
    const hit = this.hot.get(key);
    if (hit && hit.until > Date.now()) return hit.endpoint;
    const endpoint = await this.get(scope, idOrName);
    if (this.settings.cacheMs > 0) {
      if (this.hot.size > 10_000) this.hot.clear();
      this.hot.set(key, { endpoint, until: Date.now() + this.settings.cacheMs });
    }
    return endpoint;
  }

  private forgetLookups(endpointId: string): void {
    for (const [key, v] of this.hot) if (v.endpoint.id === endpointId) this.hot.delete(key);
  }

  /** An endpoint of the viewer's organization by id or name. @throws NOT_FOUND, FORBIDDEN */
  async get({ viewer, em }: RequestScope, idOrName: string): Promise<Endpoint> {
    const byId = await this.endpoints.findById(em, idOrName);
    if (byId) {
      assertSameOrganization(viewer, byId.organizationId);
      return byId;
    }
    const byName = await this.endpoints.findByName(em, viewer.organizationId, idOrName);
    if (!byName) throw new NotFoundError('Endpoint', idOrName);
    return byName;
  }

  /** The viewer's organization's endpoints by name. */
  list({ viewer, em }: RequestScope): Promise<Endpoint[]> {
    return this.endpoints.listInOrganization(em, viewer.organizationId);
  }

  /** `Endpoint` for other subgraphs: null unless it is the viewer's organization's. */
  reference({ viewer, em }: RequestScope, id: string): Promise<Endpoint | null> {
    return this.endpoints.findInOrganization(em, viewer.organizationId, id);
  }

  /** Creates an endpoint; its versions start loading at once (see `status`). */
  async create({ viewer, em }: RequestScope, input: CreateEndpointInput, authorization?: string): Promise<Endpoint> {
    const errors: FieldError[] = [];
    if (!NAME.test(input.name))
      errors.push({
        field: 'name',
        message: 'use 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
      });
    const routes = checkRoutes(input.routes, errors);
    const batching = input.batching ?? { maxBatchSize: 1, maxQueueDelayMs: 0 };
    checkBatching(batching, errors);
    const replicas = input.replicas ?? 1;
    checkReplicas(replicas, errors);
    const providers = (input.executionProviders ?? [...this.settings.defaultProviders]) as ExecutionProvider[];
    checkProviders(providers, errors);
    const warmupDims = warmupRecord(input.warmupDims ?? [], errors);
    if (errors.length) throw new BadUserInputError('Invalid endpoint', errors);
    await this.checkVersions(em, viewer.organizationId, routes, input.shadowModelVersion ?? null, authorization);
    if (await this.endpoints.nameTaken(em, viewer.organizationId, input.name))
      throw new ConflictError(`An endpoint named ${input.name} exists`);
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
    void this.settings.lineage?.deployed(endpoint);
    // New settings (providers, warm-up sizes) may fix a version that failed before: retry those.
    this.serving.loadInBackground(endpoint, authorization, true);
    return endpoint;
  }

  /** Changes an endpoint's settings; its versions load again in the background. */
  async update(scope: RequestScope, id: string, input: UpdateEndpointInput, authorization?: string): Promise<Endpoint> {
    const { viewer, em } = scope;
    const endpoint = await this.get(scope, id);
    const errors: FieldError[] = [];
    if (input.name !== undefined && input.name !== null && !NAME.test(input.name))
      errors.push({
        field: 'name',
        message: 'use 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
      });
    const routes = input.routes ? checkRoutes(input.routes, errors) : endpoint.routes;
    if (input.batching) checkBatching(input.batching, errors);
    if (input.replicas !== undefined && input.replicas !== null) checkReplicas(input.replicas, errors);
    if (input.executionProviders) checkProviders(input.executionProviders, errors);
    const warmupDims = input.warmupDims ? warmupRecord(input.warmupDims, errors) : endpoint.warmupDims;
    if (errors.length) throw new BadUserInputError('Invalid endpoint', errors);
    const shadow = input.clearShadow ? null : (input.shadowModelVersion ?? endpoint.shadowModelVersionId ?? null);
    await this.checkVersions(em, viewer.organizationId, routes, shadow, authorization);
    if (
      input.name &&
      input.name !== endpoint.name &&
      (await this.endpoints.nameTaken(em, viewer.organizationId, input.name))
    ) {
      throw new ConflictError(`An endpoint named ${input.name} exists`);
    }
    this.forgetLookups(endpoint.id);
    const served = {
      name: endpoint.name,
      routes: endpoint.routes,
      shadowModelVersionId: endpoint.shadowModelVersionId,
    };
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
      updatedAt: this.clock(),
    });
    await em.flush();
    // A deployment (versions, weights, shadow, name); a change of replicas or batching alone is not.
    if (servesOtherwise(served, endpoint)) void this.settings.lineage?.deployed(endpoint);
    this.serving.loadInBackground(endpoint, authorization, true);
    return endpoint;
  }

  /** Deletes an endpoint (sessions stay cached for other endpoints). @returns its id */
  async delete(scope: RequestScope, id: string): Promise<string> {
    const endpoint = await this.get(scope, id);
    await scope.em.removeAndFlush(endpoint);
    this.forgetLookups(endpoint.id);
    this.serving.forget(id);
    await this.settings.replicaStates?.forget(endpoint.id);
    return endpoint.id;
  }

  /** Loads the versions again, retrying those whose load failed, and waits until done. */
  async reload(scope: RequestScope, id: string, authorization?: string): Promise<Endpoint> {
    const endpoint = await this.get(scope, id);
    await this.serving.ensureLoaded(endpoint, authorization, true);
    return endpoint;
  }

  /**
   * Starts loading every endpoint's versions in the background (from the local artifact cache when present);
   * in a pod deployed for an endpoint (AIC_ENDPOINT_ID, lib/contracts' inference pod environment), that
   * endpoint's first, with a warning when its routes no longer name the versions the pod was deployed
   * with (AIC_MODEL_VERSION_IDS).
   */
  async warmUp(em: EntityManager, pod?: InferencePodIdentity, logger?: Pick<Logger, 'warn'>): Promise<void> {
    const all = await this.endpoints.all(em);
    const own = pod?.endpointId ? all.find((e) => e.id === pod.endpointId) : undefined;
    if (pod?.endpointId && !own)
      logger?.warn({ endpointId: pod.endpointId }, 'the endpoint this pod was deployed for does not exist here');
    if (own && pod?.modelVersionIds.length) {
      const current = own.routes.map((r) => r.modelVersionId).sort();
      if (current.join(',') !== [...pod.modelVersionIds].sort().join(','))
        logger?.warn(
          { endpointId: own.id, deployed: pod.modelVersionIds, current },
          'the endpoint routes other model versions than the pod was deployed with',
        );
    }
    for (const endpoint of own ? [own, ...all.filter((e) => e !== own)] : all) this.serving.loadInBackground(endpoint);
  }

  /** The endpoint's status on this replica, with why it is not ready, and its versions' session states. */
  localStatus(endpoint: Endpoint): LocalEndpointState {
    const versions = this.serving.versionStatuses(endpoint);
    return { ...endpointStatus(endpoint, versions), versions };
  }

  /**
   * The endpoint's status over the live replicas of the service (READY when any is ready), the same
   * whichever replica answers, with each replica's own state. Memoized per request (`memo`), so the
   * status, ready, statusReason and replicas fields of one endpoint read the table once.
   */
  status(endpoint: Endpoint, memo?: object): Promise<AggregateStatus> {
    const cache = memo ? (this.statusMemo.get(memo) ?? new Map<string, Promise<AggregateStatus>>()) : undefined;
    if (memo && cache && !this.statusMemo.has(memo)) this.statusMemo.set(memo, cache);
    const known = cache?.get(endpoint.id);
    if (known) return known;
    const local = this.localStatus(endpoint);
    const answer = this.settings.replicaStates
      ? this.settings.replicaStates.of(endpoint.id, local)
      : Promise.resolve({
          status: local.status,
          reason: local.reason,
          replicas: [localView('local', local, this.clock())],
        });
    cache?.set(endpoint.id, answer);
    return answer;
  }

  private readonly statusMemo = new WeakMap<object, Map<string, Promise<AggregateStatus>>>();

  /** Session state of each version. */
  versionReadiness(endpoint: Endpoint): VersionReadiness[] {
    return this.serving
      .versionStatuses(endpoint)
      .map((s) => toVersionReadiness({ ...s, effectiveBatching: this.serving.effectiveBatching(endpoint, s.key) }));
  }

  /**
   * Whether the endpoint's requests are joined into batches on this replica: enabled when batching
   * is on and every version it routes to or shadows can batch; otherwise why not, per version.
   */
  effectiveBatching(endpoint: Endpoint): { enabled: boolean; reason: string | null } {
    if (endpoint.maxBatchSize <= 1) return { enabled: false, reason: 'batching is off (maxBatchSize 1)' };
    const off = this.serving
      .versionsOf(endpoint)
      .map(({ id }) => ({ id, ...this.serving.effectiveBatching(endpoint, id) }))
      .filter((v) => !v.enabled);
    return off.length
      ? { enabled: false, reason: off.map((v) => `model version ${v.id}: ${v.reason}`).join('; ') }
      : { enabled: true, reason: null };
  }

  /** Per-version metrics over the last `windowSeconds` (default 60). */
  metrics(endpoint: Endpoint, windowSeconds?: number | null): VersionMetrics[] {
    return this.serving
      .metricsOf(endpoint.id)
      .snapshot((windowSeconds ?? 60) * 1000)
      .map(toVersionMetrics);
  }

  /** Session runs of the endpoint executing and waiting for a free replica on this service replica. */
  runs(endpoint: Endpoint): { inFlight: number; queued: number } {
    const limiter = this.serving.limiterOf(endpoint);
    return { inFlight: limiter.inFlight, queued: limiter.queued };
  }

  /** Live per-version metrics of an endpoint of the viewer's organization, every `intervalMs` (at least 100). */
  async watchMetrics(
    scope: RequestScope,
    idOrName: string,
    intervalMs?: number | null,
    windowSeconds?: number | null,
  ): Promise<AsyncIterable<EndpointMetricsEvent>> {
    const endpoint = await this.get(scope, idOrName);
    const every = Math.max(100, intervalMs ?? 1000);
    const windowMs = (windowSeconds ?? 60) * 1000;
    return intervalIterable(every, () => ({
      endpointId: endpoint.id,
      at: this.clock(),
      versions: this.serving.metricsOf(endpoint.id).snapshot(windowMs).map(toVersionMetrics),
    }));
  }

  private async checkVersions(
    em: EntityManager,
    organizationId: string,
    routes: StoredRoute[],
    shadow: string | null,
    authorization?: string,
  ): Promise<void> {
    const wanted = routes.map((r, i) => ({ id: r.modelVersionId, field: `routes[${i}].modelVersion` }));
    if (shadow) wanted.push({ id: shadow, field: 'shadowModelVersion' });
    const errors: FieldError[] = [];
    const infos = await Promise.all(
      wanted.map(async ({ id, field }) => {
        try {
          return await this.source.describe(em, id, organizationId, authorization);
        } catch (error) {
          errors.push({ field, message: `model version ${id} cannot be served: ${(error as Error).message}` });
          return undefined;
        }
      }),
    );
    if (errors.length) throw new BadUserInputError('Model versions cannot be served', errors);
    // Every version gets the same requests (routing picks one, a shadow gets a copy): they must take the same inputs.
    const distinct = infos.filter((info, i) => info && infos.findIndex((x) => x?.id === info.id) === i);
    if (distinct.length < 2) return;
    const inputs = await Promise.all(distinct.map((info) => this.inputsOf(info as CachedModelVersion, authorization)));
    const first = inputs.findIndex((x) => x !== undefined);
    const base = inputs[first];
    if (!base) return;
    inputs.forEach((these, i) => {
      if (!these || i === first || !inputsDiffer(base, these)) return;
      const id = distinct[i]!.id;
      errors.push({
        field: wanted.find((w) => w.id === id)!.field,
        message: `model version ${id} takes ${describeInputs(these)}, but ${distinct[first]!.id} takes ${describeInputs(base)}`,
      });
    });
    if (errors.length)
      throw new BadUserInputError('The model versions of an endpoint must take the same inputs', errors);
  }

  /** A version's inputs: from its session, the signature served before, or its ONNX file; undefined when unreadable (its load reports why). */
  private async inputsOf(info: CachedModelVersion, authorization?: string): Promise<TensorSpec[] | undefined> {
    try {
      return this.serving.signatureOf(info.id).inputs;
    } catch {
      // Not loaded here: read what it declares.
    }
    if (info.servedSignature) return info.servedSignature.inputs;
    try {
      return inputsFromOnnx(await this.source.bytes(info, authorization));
    } catch {
      return undefined;
    }
  }
}
