import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OpenLineageDataset, OpenLineageEvent, OpenLineageFacets, RunEventType } from './openlineage.types';
import { LINEAGE_NAMESPACES, lineageNames } from '../../contracts/lineage';
import type { ServiceTokenSource } from '../service-client';

const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const ERROR_FACET_URL =
  'https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet';
const PARENT_FACET_URL = 'https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet';

/** The catalog refused an event or could not be reached. */
export class OpenLineageEmitError extends Error {
  readonly status: number | null;
  readonly body: unknown;
  constructor(message: string, status: number | null, body: unknown) {
    super(message);
    this.name = 'OpenLineageEmitError';
    this.status = status;
    this.body = body;
  }
}

export interface OpenLineageEmitterOptions {
  /** Base URL of the catalog service (events go to `POST <catalogUrl>/api/v1/lineage`). */
  catalogUrl: string;
  /** URI of the emitting software, e.g. `https://github.com/aic/platform/models`. */
  producer: string;
  /** The `Authorization` header for an organization: a service token with `catalog:write`, or the caller's. */
  authorization(organizationId: string): Promise<string>;
  /** @default 5000 */
  timeoutMs?: number;
}

export interface DatasetRef {
  namespace: string;
  name: string;
  facets?: OpenLineageFacets;
}

export interface JobRef {
  namespace: string;
  name: string;
  facets?: OpenLineageFacets;
}

/** A run in progress: report its end once. */
export interface RunHandle {
  runId: string;
  running(facets?: OpenLineageFacets): Promise<void>;
  complete(outputs?: DatasetRef[], facets?: OpenLineageFacets): Promise<void>;
  fail(error: Error | string): Promise<void>;
  abort(): Promise<void>;
}

export interface OpenLineageEmitter {
  /** Sends one event as is. @throws OpenLineageEmitError on a non-2xx answer or a network failure */
  emit(organizationId: string, event: OpenLineageEvent): Promise<void>;
  /** Emits START for a new run of `job` and returns its handle. */
  startRun(
    organizationId: string,
    job: JobRef,
    io?: {
      inputs?: DatasetRef[];
      outputs?: DatasetRef[];
      runId?: string;
      parent?: { runId: string; job: { namespace: string; name: string } };
      facets?: OpenLineageFacets;
    },
  ): Promise<RunHandle>;
}

/** The OpenLineage identity of a catalog dataset, to name it as an input or output. */
export function catalogDatasetRef(datasetId: string, facets?: OpenLineageFacets): DatasetRef {
  return {
    namespace: LINEAGE_NAMESPACES.catalog,
    name: lineageNames.catalogDataset(datasetId),
    ...(facets ? { facets } : {}),
  };
}

/**
 * A small OpenLineage client for platform services: builds spec 2-0-2 run events (producer, schemaURL,
 * eventTime, parent and error facets) and posts them to the catalog's Marquez-compatible route.
 */
export function createOpenLineageEmitter(opts: OpenLineageEmitterOptions): OpenLineageEmitter {
  const url = `${opts.catalogUrl.replace(/\/$/, '')}/api/v1/lineage`;
  const facet = (schemaURL: string, body: Record<string, unknown>): Record<string, unknown> => ({
    _producer: opts.producer,
    _schemaURL: schemaURL,
    ...body,
  });

  const emit = async (organizationId: string, event: OpenLineageEvent): Promise<void> => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: await opts.authorization(organizationId) },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
      });
    } catch (err) {
      throw new OpenLineageEmitError(`OpenLineage event not delivered: ${(err as Error).message}`, null, null);
    }
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      throw new OpenLineageEmitError(`Catalog refused the OpenLineage event (${res.status})`, res.status, body);
    }
  };

  return {
    emit,
    async startRun(organizationId, job, io = {}) {
      const runId = io.runId ?? randomUUID();
      const parentFacet = io.parent
        ? { parent: facet(PARENT_FACET_URL, { run: { runId: io.parent.runId }, job: io.parent.job }) }
        : {};
      const send = (
        eventType: RunEventType,
        extra: { outputs?: DatasetRef[]; runFacets?: OpenLineageFacets } = {},
      ): Promise<void> =>
        emit(organizationId, {
          eventTime: new Date().toISOString(),
          eventType,
          producer: opts.producer,
          schemaURL: SCHEMA_URL,
          run: {
            runId,
            facets: { ...parentFacet, ...(io.facets ?? {}), ...(extra.runFacets ?? {}) } as OpenLineageFacets,
          },
          job: { namespace: job.namespace, name: job.name, ...(job.facets ? { facets: job.facets } : {}) },
          inputs: (io.inputs ?? []) as OpenLineageDataset[],
          outputs: (extra.outputs ?? io.outputs ?? []) as OpenLineageDataset[],
        });
      await send('START');
      return {
        runId,
        running: (facets) => send('RUNNING', { runFacets: facets }),
        complete: (outputs, facets) => send('COMPLETE', { outputs, runFacets: facets }),
        fail: (error) =>
          send('FAIL', {
            runFacets: {
              errorMessage: facet(ERROR_FACET_URL, {
                message: typeof error === 'string' ? error : error.message,
                programmingLanguage: 'TypeScript',
                ...(typeof error !== 'string' && error.stack ? { stackTrace: error.stack } : {}),
              }),
            },
          }),
        abort: () => send('ABORT'),
      };
    },
  };
}

/** A run that happened at once (a deployment, a traffic change): reported as one COMPLETE event. */
export interface InstantRun {
  job: JobRef;
  inputs: DatasetRef[];
  outputs: DatasetRef[];
  /** @default a new UUID; give a stable one so a retried step reports the same run */
  runId?: string;
  facets?: OpenLineageFacets;
}

export interface LineageReporterOptions {
  /** Where failed attempts are reported (warn) and a given-up event is written whole (error), so it can be replayed. */
  logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Waits before each retry; the event is given up after the last. @default [1000, 5000, 30000] */
  retryDelaysMs?: readonly number[];
}

/**
 * Reports instant runs to the catalog in the background: the step that caused one (a deploy) never
 * waits for the catalog nor fails because of it. A refused or undelivered event is logged and sent
 * again after each of `retryDelaysMs`; one still undelivered after the last is logged as an error
 * with the whole event (post it to the catalog's `/api/v1/lineage` to replay it), never dropped
 * silently. A refusal for bad input (4xx other than 401, 403, 408, 429) is not retried.
 */
export class LineageReporter {
  private readonly inFlight = new Set<Promise<boolean>>();
  /** Events not yet delivered nor given up, by delivery. */
  private readonly undelivered = new Map<Promise<boolean>, { organizationId: string; event: OpenLineageEvent }>();
  private closed = false;
  /** Ends the waits between retries on close. */
  private readonly stop = new AbortController();

  constructor(
    private readonly emitter: OpenLineageEmitter,
    private readonly producer: string,
    private readonly opts: LineageReporterOptions,
  ) {}

  /** A service's reporter: it posts to the catalog with its own token, asking only for `catalog:write`. */
  static forService(
    opts: LineageReporterOptions & { catalogUrl: string; producer: string; tokens: ServiceTokenSource },
  ): LineageReporter {
    const { catalogUrl, producer, tokens, ...reporting } = opts;
    const emitter = createOpenLineageEmitter({
      catalogUrl,
      producer,
      authorization: async (organizationId) => `Bearer ${await tokens.getToken(organizationId, ['catalog:write'])}`,
    });
    return new LineageReporter(emitter, producer, reporting);
  }

  /**
   * Starts delivering the run's COMPLETE event; never throws.
   * @returns a promise of whether the catalog accepted it (callers need not wait for it)
   */
  report(organizationId: string, run: InstantRun): Promise<boolean> {
    const event: OpenLineageEvent = {
      eventTime: new Date().toISOString(),
      eventType: 'COMPLETE',
      producer: this.producer,
      schemaURL: SCHEMA_URL,
      run: { runId: run.runId ?? randomUUID(), ...(run.facets ? { facets: run.facets } : {}) },
      job: { namespace: run.job.namespace, name: run.job.name, ...(run.job.facets ? { facets: run.job.facets } : {}) },
      inputs: run.inputs as OpenLineageDataset[],
      outputs: run.outputs as OpenLineageDataset[],
    };
    const delivery = this.deliver(organizationId, event);
    this.inFlight.add(delivery);
    this.undelivered.set(delivery, { organizationId, event });
    void delivery.finally(() => {
      this.inFlight.delete(delivery);
      this.undelivered.delete(delivery);
    });
    return delivery;
  }

  /** Stops retrying (the process is shutting down): each event still undelivered is logged whole as lost. */
  close(): void {
    this.closed = true;
    this.stop.abort();
    for (const { organizationId, event } of this.undelivered.values())
      this.opts.logger.error(
        { runId: event.run?.runId, job: event.job?.name, organizationId, event },
        'lineage event lost (shutdown before it was delivered)',
      );
    this.undelivered.clear();
  }

  /** Resolves when every report started so far is delivered or given up (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async deliver(organizationId: string, event: OpenLineageEvent): Promise<boolean> {
    const delays = this.opts.retryDelaysMs ?? [1000, 5000, 30_000];
    const about = { runId: event.run?.runId, job: event.job?.name, organizationId };
    for (let attempt = 0; ; attempt += 1) {
      // Closed while waiting to retry: close() has logged the event.
      if (this.closed && attempt > 0) return false;
      try {
        await this.emitter.emit(organizationId, event);
        return true;
      } catch (err) {
        const status = err instanceof OpenLineageEmitError ? err.status : null;
        if (this.closed) return false;
        const final =
          attempt >= delays.length ||
          (status !== null && status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status));
        if (final) {
          this.opts.logger.error({ err, ...about, attempts: attempt + 1, event }, 'lineage event lost');
          return false;
        }
        this.opts.logger.warn({ err, ...about, attempt: attempt + 1 }, 'lineage event not delivered; retrying');
        try {
          await sleep(delays[attempt], undefined, { signal: this.stop.signal, ref: false });
        } catch {
          return false; // closed: close() has logged the event
        }
      }
    }
  }
}
