import type { Logger, OpenLineageEmitter, RunHandle } from '../../../../lib/src/index';
import { LINEAGE_NAMESPACES, lineageNames } from '../../../../lib/contracts/index';
import { catalogDatasetRef, createOpenLineageEmitter } from '../../../../lib/src/index';

/** The producer URI of this service's events. */
const PRODUCER = 'https://github.com/aic-platform/aic/tree/main/subgraphs/models';
const VERSION_FACET_URL =
  'https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet';
/** Namespace owned here (jobs and model versions); datasets are catalog's (`aic://catalog`). */
export const MODELS_NAMESPACE = LINEAGE_NAMESPACES.models;

/** Which run of which job reads which dataset. */
export interface LineageRun {
  organizationId: string;
  /** The training job or study id. */
  runId: string;
  /** `training/<model>` or `study/<model>`. */
  jobName: string;
  datasetId: string;
}

/** The model version a run wrote. */
export interface LineageModelVersion {
  id: string;
  modelName: string;
  version: number;
}

/** A started run; each method reports its end once and never throws. */
export interface LineageRunHandle {
  complete(modelVersion: LineageModelVersion): Promise<void>;
  fail(message: string): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Reports training jobs and studies to the catalog through lib's OpenLineage emitter (dataset →
 * job → model version). A catalog outage is logged and never fails the job; a run whose START was
 * not delivered sends it again before its end.
 */
export class LineageEmitter {
  private readonly emitter: OpenLineageEmitter;

  constructor(
    catalogUrl: string,
    authorization: (organizationId: string) => Promise<string>,
    private readonly logger: Logger,
  ) {
    this.emitter = createOpenLineageEmitter({ catalogUrl, producer: PRODUCER, authorization, timeoutMs: 10_000 });
  }

  /** Emits START for the run and returns the handle that ends it. */
  async start(run: LineageRun): Promise<LineageRunHandle> {
    let handle = await this.tryStart(run);
    const end = async (type: string, send: (h: RunHandle) => Promise<void>): Promise<void> => {
      handle ??= await this.tryStart(run);
      if (!handle) return;
      try {
        await send(handle);
      } catch (error) {
        this.logger.warn({ err: error, runId: run.runId, type }, 'lineage event not delivered');
      }
    };
    return {
      complete: (mv) =>
        end('COMPLETE', (h) =>
          h.complete([
            {
              namespace: MODELS_NAMESPACE,
              name: lineageNames.modelVersion(mv.id),
              facets: {
                version: {
                  _producer: PRODUCER,
                  _schemaURL: VERSION_FACET_URL,
                  datasetVersion: `${mv.modelName}/${mv.version}`,
                },
              },
            },
          ]),
        ),
      fail: (message) => end('FAIL', (h) => h.fail(message)),
      abort: () => end('ABORT', (h) => h.abort()),
    };
  }

  private async tryStart(run: LineageRun): Promise<RunHandle | null> {
    try {
      return await this.emitter.startRun(
        run.organizationId,
        { namespace: MODELS_NAMESPACE, name: run.jobName },
        { runId: run.runId, inputs: [catalogDatasetRef(run.datasetId)] },
      );
    } catch (error) {
      this.logger.warn({ err: error, runId: run.runId, type: 'START' }, 'lineage event not delivered');
      return null;
    }
  }
}
