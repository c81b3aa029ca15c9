import { BadUserInputError, NotFoundError } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogMetrics } from '../catalog.metrics';
import type { Dataset } from '../dataset/dataset.entity';
import type { AccessService } from '../governance/access.service';
import type { LenientCheck, OpenLineageValidator, ValidationIssue } from '../openlineage/openlineage.validator';
import { OpenLineageValidationError } from '../openlineage/openlineage.validator';
import type { IngestResult, LineageIngestor } from './lineage.ingestor';
import { CATALOG_NAMESPACE, catalogDatasetName, lineageNodeId, lineageRunKey } from './lineage.ids';
import type { LineageNode } from './lineage-node.entity';
import type { LineageGraph, LineageRepository } from './lineage.repository';
import { MAX_LINEAGE_DEPTH } from './lineage.repository';
import type { LineageRun } from './lineage-run.entity';
import type {
  ColumnLineageLinkType,
  LineageEventNotification,
  LineageGraphResult,
  LineageIngestResult,
} from './lineage.type';
import { LineageDirectionEnum, LineageNodeKindEnum } from './lineage.type';

/** The pub/sub topic of `lineageEvents`. */
export const LINEAGE_EVENT_TOPIC = 'CATALOG_LINEAGE_EVENT';

/** Nodes of a lineage graph around a dataset shown as a field of it. */
const DATASET_LINEAGE_MAX_NODES = 1000;

/**
 * Edges a lineage query follows unless told otherwise: the whole platform chain, dataset → training
 * → model version → endpoint deployment → endpoint → application rollout → application, is 6.
 */
export const DEFAULT_LINEAGE_DEPTH = 8;

export interface LineageGraphQuery {
  namespace: string;
  name: string;
  /** Null: the dataset or the job of that name, whichever exists. */
  kind: LineageNodeKindEnum | null;
  direction: LineageDirectionEnum;
  depth: number;
  maxNodes: number;
}

export interface ColumnLineageQuery {
  namespace: string;
  name: string;
  field: string | null;
  direction: LineageDirectionEnum;
  depth: number;
}

function checkDepth(depth: number, maxNodes: number): void {
  if (depth < 0 || depth > MAX_LINEAGE_DEPTH)
    throw new BadUserInputError('Invalid depth', [
      { field: 'depth', message: `must be between 0 and ${MAX_LINEAGE_DEPTH}` },
    ]);
  if (maxNodes < 1 || maxNodes > 10_000)
    throw new BadUserInputError('Invalid maxNodes', [{ field: 'maxNodes', message: 'must be between 1 and 10000' }]);
}

const toResult = (g: LineageGraph): LineageGraphResult => ({
  nodes: g.nodes,
  edges: g.edges.map((e) => ({ fromId: e.from, toId: e.to })),
  truncated: g.truncated,
});

/** OpenLineage ingestion (GraphQL and Marquez's REST route) and the queries over an organization's lineage graph. */
export class LineageService {
  constructor(
    private readonly deps: {
      lineage: LineageRepository;
      ingestor: LineageIngestor;
      access: AccessService;
      validator: OpenLineageValidator;
      metrics: CatalogMetrics;
      publish: (topic: string, payload: unknown) => void;
      /** Refuse every spec violation (`AIC_OPENLINEAGE_STRICT`); otherwise only the fatal ones. */
      strict?: boolean;
    },
  ) {}

  /**
   * Validates an OpenLineage document, folds it into the viewer's organization's lineage graph and
   * publishes it to `lineageEvents` subscribers. Not strict (the default), an event with non-fatal
   * violations is kept whole in the event log and folded without its offending facets; the result's
   * `warnings` name them (Marquez accepts such events too, and refusing one loses the run's lineage).
   * @throws BadUserInputError whose `fields` are the JSON pointers of every (fatal) validation failure
   */
  async ingest({ em, viewer }: RequestScope, body: unknown): Promise<IngestResult & { warnings: ValidationIssue[] }> {
    const { metrics, validator } = this.deps;
    let checked: LenientCheck;
    try {
      checked = this.deps.strict ? { ...validator.assertValid(body), warnings: [] } : validator.checkLenient(body);
    } catch (err) {
      if (!(err instanceof OpenLineageValidationError)) throw err;
      metrics.lineageEvents.inc({ kind: 'unknown', outcome: 'invalid' });
      throw new BadUserInputError(
        err.message,
        err.issues.map((i) => ({ field: i.path || '/', message: i.message })),
      );
    }
    const { kind, event, warnings } = checked;
    const organizationId = viewer.organizationId;
    const result = await this.deps.ingestor.ingest(em, organizationId, kind, event, body as Record<string, unknown>);
    metrics.lineageEvents.inc({ kind, outcome: warnings.length ? 'accepted_with_warnings' : 'accepted' });
    if (warnings.length) metrics.lineageEventWarnings.inc({ kind }, warnings.length);
    const name = (d: { namespace: string; name: string }) => ({ namespace: d.namespace, name: d.name });
    const notification: LineageEventNotification = {
      organizationId,
      eventId: result.eventId,
      kind,
      eventType: event.eventType ?? null,
      eventTime: event.eventTime,
      runId: event.run?.runId ?? null,
      job: event.job ? name(event.job) : null,
      inputs: (event.inputs ?? []).map(name),
      outputs: [...(event.outputs ?? []), ...(event.dataset ? [event.dataset] : [])].map(name),
    };
    this.deps.publish(LINEAGE_EVENT_TOPIC, notification);
    return { ...result, warnings };
  }

  /** `ingest`, answered with the job node (the GraphQL mutation's result). */
  async ingestEvent(scope: RequestScope, body: unknown): Promise<LineageIngestResult> {
    const r = await this.ingest(scope, body);
    return {
      eventId: r.eventId,
      kind: r.kind,
      runKey: r.runKey,
      job: r.jobNodeId ? await this.deps.lineage.findNode(scope.em, r.jobNodeId) : null,
      warnings: r.warnings.map((w) => ({ path: w.path || '/', message: w.message })),
    };
  }

  node(
    { em, viewer }: RequestScope,
    namespace: string,
    name: string,
    kind: LineageNodeKindEnum,
  ): Promise<LineageNode | null> {
    return this.deps.lineage.findNode(em, lineageNodeId(viewer.organizationId, kind, namespace, name));
  }

  /** The lineage graph around a job or dataset; NOT_FOUND when the node does not exist. */
  async graph({ em, viewer }: RequestScope, q: LineageGraphQuery): Promise<LineageGraphResult> {
    checkDepth(q.depth, q.maxNodes);
    const id = await this.startNode(em, viewer.organizationId, q);
    return toResult(
      await this.deps.lineage.traverse(em, id, { direction: q.direction, depth: q.depth, maxNodes: q.maxNodes }),
    );
  }

  /** The id of the query's start node. @throws NOT_FOUND; BAD_USER_INPUT when no kind is given and a dataset and a job share the name */
  private async startNode(
    em: RequestScope['em'],
    organizationId: string,
    q: Pick<LineageGraphQuery, 'namespace' | 'name' | 'kind'>,
  ): Promise<string> {
    const kinds = q.kind ? [q.kind] : [LineageNodeKindEnum.DATASET, LineageNodeKindEnum.JOB];
    const found: string[] = [];
    for (const kind of kinds) {
      const id = lineageNodeId(organizationId, kind, q.namespace, q.name);
      if (await this.deps.lineage.findNode(em, id)) found.push(id);
    }
    if (found.length === 0) throw new NotFoundError('LineageNode', `${q.namespace}/${q.name}`);
    if (found.length > 1)
      throw new BadUserInputError('Both a dataset and a job have this name', [
        { field: 'from.kind', message: 'give DATASET or JOB' },
      ]);
    return found[0]!;
  }

  /** The lineage of a catalog dataset (its node is `aic://catalog` / `datasets/<id>`); empty before any event names it. */
  async datasetGraph(
    { em }: RequestScope,
    dataset: Dataset,
    direction: LineageDirectionEnum,
    depth: number,
  ): Promise<LineageGraphResult> {
    checkDepth(depth, 1);
    const id = lineageNodeId(
      dataset.organizationId,
      LineageNodeKindEnum.DATASET,
      CATALOG_NAMESPACE,
      catalogDatasetName(dataset.id),
    );
    if (!(await this.deps.lineage.findNode(em, id))) return { nodes: [], edges: [], truncated: false };
    return toResult(
      await this.deps.lineage.traverse(em, id, { direction, depth, maxNodes: DATASET_LINEAGE_MAX_NODES }),
    );
  }

  /** Column lineage from the ColumnLineageDatasetFacet, followed across datasets; every column of the dataset when `field` is null. */
  async columnLineage({ em, viewer }: RequestScope, q: ColumnLineageQuery): Promise<ColumnLineageLinkType[]> {
    checkDepth(q.depth, 1);
    if (q.direction === LineageDirectionEnum.BOTH)
      throw new BadUserInputError('Column lineage goes one way', [
        { field: 'direction', message: 'must be UPSTREAM or DOWNSTREAM' },
      ]);
    const id = lineageNodeId(viewer.organizationId, LineageNodeKindEnum.DATASET, q.namespace, q.name);
    const links = await this.deps.lineage.traverseColumns(em, id, q.field, q.direction, q.depth);
    const ids = [...new Set(links.flatMap((l) => [l.input.nodeId, l.output.nodeId]))];
    const nodes = new Map((await this.deps.lineage.nodes(em, ids)).map((n) => [n.id, n]));
    return links.map((l) => ({
      depth: l.depth,
      transformations: l.transformations,
      input: { dataset: nodes.get(l.input.nodeId)!, field: l.input.field },
      output: { dataset: nodes.get(l.output.nodeId)!, field: l.output.field },
    }));
  }

  /** A run by its OpenLineage runId, in the viewer's organization. */
  run({ em, viewer }: RequestScope, runId: string): Promise<LineageRun | null> {
    return this.deps.lineage.findRun(em, lineageRunKey(viewer.organizationId, runId));
  }

  /** Runs of a job, newest first; `first` is clamped to 1..200. */
  runs({ em, viewer }: RequestScope, namespace: string, name: string, first: number): Promise<LineageRun[]> {
    const jobNode = lineageNodeId(viewer.organizationId, LineageNodeKindEnum.JOB, namespace, name);
    return this.deps.lineage.runsOf(em, viewer.organizationId, jobNode, Math.max(1, Math.min(first, 200)));
  }

  /** A run another subgraph refers to, when it is of the viewer's organization. */
  runReference({ em, viewer }: RequestScope, id: string): Promise<LineageRun | null> {
    return this.deps.lineage.findRunIn(em, viewer.organizationId, id);
  }

  jobOf({ em }: RequestScope, run: LineageRun): Promise<LineageNode> {
    return this.deps.lineage.getNode(em, run.jobNode);
  }

  inputsOf({ em }: RequestScope, run: LineageRun): Promise<LineageNode[]> {
    return this.deps.lineage.nodesByName(em, run.inputNodes);
  }

  outputsOf({ em }: RequestScope, run: LineageRun): Promise<LineageNode[]> {
    return this.deps.lineage.nodesByName(em, run.outputNodes);
  }

  /** The catalog dataset a lineage node is, when the viewer can see it. */
  datasetOf(scope: RequestScope, node: LineageNode): Promise<Dataset | null> {
    return node.datasetId ? this.deps.access.visibleDataset(scope, node.datasetId) : Promise.resolve(null);
  }
}
