import { randomUUID } from 'node:crypto';
import type { OpenLineageDataset, OpenLineageEvent, OpenLineageFacets, RunEventType } from './openlineage.types';
import { LINEAGE_NAMESPACES, lineageNames } from '../../contracts/lineage';

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
