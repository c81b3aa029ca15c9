import type { EntityManager } from '@mikro-orm/core';
import type { Clock } from '../../../../lib/src/kit/clock';
import type {
  ColumnLineageInput,
  OpenLineageDataset,
  OpenLineageEvent,
  RunEventType,
} from '../../../../lib/src/openlineage/openlineage.types';
import type { OpenLineageEventKind } from '../openlineage/openlineage.validator';
import { ColumnLineageEdge } from './column-lineage-edge.entity';
import { LineageEdge } from './lineage-edge.entity';
import { LineageEventRecord } from './lineage-event.entity';
import { catalogDatasetIdOf, columnEdgeId, lineageEdgeId, lineageNodeId, lineageRunKey } from './lineage.ids';
import type { LineageNodeKind } from './lineage.ids';
import { LineageNode } from './lineage-node.entity';
import type { LineageRepository } from './lineage.repository';
import { LineageRun } from './lineage-run.entity';

const TERMINAL: readonly RunEventType[] = ['COMPLETE', 'FAIL', 'ABORT'];

/** What an ingested event touched. */
export interface IngestResult {
  eventId: string;
  kind: OpenLineageEventKind;
  jobNodeId: string | null;
  runKey: string | null;
  inputNodeIds: string[];
  outputNodeIds: string[];
}

interface NodeRef {
  id: string;
  kind: LineageNodeKind;
  namespace: string;
  name: string;
  facets?: Record<string, unknown>;
}

interface ColumnPair {
  id: string;
  outputNode: string;
  outputField: string;
  inputNode: string;
  inputField: string;
  transformations: unknown[] | null;
}

/** The rows one event names, with their ids; computed before any query. */
export interface IngestPlan {
  organizationId: string;
  job: NodeRef | null;
  inputs: NodeRef[];
  /** Outputs of a run or job event. */
  outputs: NodeRef[];
  /** The dataset of a dataset event. */
  dataset: NodeRef | null;
  /** Every node to upsert, once each, facets merged. */
  nodes: NodeRef[];
  /** input -> job and job -> output, as [from, to]. */
  edges: (readonly [string, string])[];
  columns: ColumnPair[];
  runKey: string | null;
}

function mergeFacets(
  current: Record<string, unknown> | null | undefined,
  next: Record<string, unknown> | undefined,
): Record<string, unknown> | null {
  if (!next || Object.keys(next).length === 0) return current ?? null;
  return { ...(current ?? {}), ...next };
}

/** Column lineage pairs from an output's ColumnLineageDatasetFacet. */
function columnPairs(output: OpenLineageDataset): { outputField: string; input: ColumnLineageInput }[] {
  const facet = output.facets?.columnLineage as
    { fields?: Record<string, { inputFields?: ColumnLineageInput[] }> } | undefined;
  if (!facet?.fields) return [];
  return Object.entries(facet.fields).flatMap(([outputField, f]) =>
    (f.inputFields ?? []).map((input) => ({ outputField, input })),
  );
}

/** Names every node, edge and column edge an event touches, with the ids their rows have. */
export function planIngest(organizationId: string, event: OpenLineageEvent): IngestPlan {
  const ref = (
    kind: LineageNodeKind,
    d: { namespace: string; name: string; facets?: Record<string, unknown> },
  ): NodeRef => ({
    id: lineageNodeId(organizationId, kind, d.namespace, d.name),
    kind,
    namespace: d.namespace,
    name: d.name,
    facets: d.facets,
  });
  const job = event.job ? ref('JOB', event.job) : null;
  const inputs = (event.inputs ?? []).map((d) => ref('DATASET', d));
  const outputs = (event.outputs ?? []).map((d) => ref('DATASET', d));
  const dataset = event.dataset ? ref('DATASET', event.dataset) : null;
  const columns = (event.outputs ?? []).flatMap((o) =>
    columnPairs(o).map(({ outputField, input }): ColumnPair => {
      const outputNode = lineageNodeId(organizationId, 'DATASET', o.namespace, o.name);
      const inputNode = lineageNodeId(organizationId, 'DATASET', input.namespace, input.name);
      return {
        id: columnEdgeId(outputNode, outputField, inputNode, input.field),
        outputNode,
        outputField,
        inputNode,
        inputField: input.field,
        transformations: input.transformations ?? null,
      };
    }),
  );
  const columnInputs = (event.outputs ?? []).flatMap((o) =>
    columnPairs(o).map(({ input }) => ref('DATASET', { namespace: input.namespace, name: input.name })),
  );
  const nodes = new Map<string, NodeRef>();
  for (const r of [...(job ? [job] : []), ...inputs, ...outputs, ...(dataset ? [dataset] : []), ...columnInputs]) {
    const prev = nodes.get(r.id);
    nodes.set(r.id, prev ? { ...prev, facets: mergeFacets(prev.facets, r.facets) ?? undefined } : r);
  }
  const edges = job
    ? [...inputs.map((i) => [i.id, job.id] as const), ...outputs.map((o) => [job.id, o.id] as const)]
    : [];
  return {
    organizationId,
    job,
    inputs,
    outputs,
    dataset,
    nodes: [...nodes.values()],
    edges,
    columns,
    runKey: event.run ? lineageRunKey(organizationId, event.run.runId) : null,
  };
}

/**
 * Folds validated OpenLineage documents into an organization's lineage graph: upserts the job and
 * dataset nodes (facets merged), the input->job->output edges, the run's state and column lineage,
 * and keeps the whole document. Everything is written in one flush (one transaction on SQL drivers).
 */
export class LineageIngestor {
  constructor(
    private readonly lineage: LineageRepository,
    private readonly clock: Clock,
  ) {}

  async ingest(
    em: EntityManager,
    organizationId: string,
    kind: OpenLineageEventKind,
    event: OpenLineageEvent,
    /** The document as received, kept in the event log (defaults to `event`; a lenient ingestion folds a copy without the facets that broke their schema). */
    received: Record<string, unknown> = event as unknown as Record<string, unknown>,
  ): Promise<IngestResult> {
    const plan = planIngest(organizationId, event);
    const now = this.clock();
    await this.upsertNodes(em, plan, now);
    await this.upsertEdges(em, plan, event.run?.runId ?? null, now);
    await this.upsertColumnEdges(em, plan, now);
    if (event.run && plan.job && plan.runKey)
      await this.foldRun(em, plan, { job: plan.job, runKey: plan.runKey, run: event.run }, event, now);
    const record = em.create(LineageEventRecord, {
      organizationId,
      kind,
      eventType: event.eventType ?? null,
      runId: event.run?.runId ?? null,
      eventTime: new Date(event.eventTime),
      createdAt: now,
      payload: received,
    });
    em.persist(record);
    await em.flush();
    return {
      eventId: record.id,
      kind,
      jobNodeId: plan.job?.id ?? null,
      runKey: plan.runKey,
      inputNodeIds: plan.inputs.map((i) => i.id),
      outputNodeIds: [...plan.outputs, ...(plan.dataset ? [plan.dataset] : [])].map((o) => o.id),
    };
  }

  private async upsertNodes(em: EntityManager, plan: IngestPlan, now: Date): Promise<void> {
    const existing = new Map(
      (
        await this.lineage.nodes(
          em,
          plan.nodes.map((n) => n.id),
        )
      ).map((n) => [n.id, n]),
    );
    for (const r of plan.nodes) {
      const node = existing.get(r.id);
      if (node) {
        node.facets = mergeFacets(node.facets, r.facets);
        node.updatedAt = now;
        continue;
      }
      const datasetId = r.kind === 'DATASET' ? (catalogDatasetIdOf(r.namespace, r.name) ?? null) : null;
      em.persist(
        em.create(LineageNode, {
          id: r.id,
          organizationId: plan.organizationId,
          kind: r.kind,
          namespace: r.namespace,
          name: r.name,
          datasetId,
          facets: mergeFacets(null, r.facets),
          createdAt: now,
          updatedAt: now,
        }),
      );
    }
  }

  private async upsertEdges(em: EntityManager, plan: IngestPlan, runId: string | null, now: Date): Promise<void> {
    if (plan.edges.length === 0) return;
    const ids = plan.edges.map(([from, to]) => lineageEdgeId(from, to));
    const have = new Map((await this.lineage.edges(em, ids)).map((e) => [e.id, e]));
    plan.edges.forEach(([fromNode, toNode], i) => {
      const edge = have.get(ids[i]!);
      if (edge) {
        edge.lastRunId = runId ?? edge.lastRunId;
        edge.updatedAt = now;
        return;
      }
      const created = em.create(LineageEdge, {
        id: ids[i],
        organizationId: plan.organizationId,
        fromNode,
        toNode,
        lastRunId: runId,
        createdAt: now,
        updatedAt: now,
      });
      have.set(ids[i]!, created);
      em.persist(created);
    });
  }

  private async upsertColumnEdges(em: EntityManager, plan: IngestPlan, now: Date): Promise<void> {
    if (plan.columns.length === 0) return;
    const have = new Map(
      (
        await this.lineage.columnEdges(
          em,
          plan.columns.map((c) => c.id),
        )
      ).map((e) => [e.id, e]),
    );
    for (const c of plan.columns) {
      const edge = have.get(c.id);
      if (edge) {
        edge.transformations = c.transformations;
        edge.updatedAt = now;
        continue;
      }
      const created = em.create(ColumnLineageEdge, {
        ...c,
        organizationId: plan.organizationId,
        createdAt: now,
        updatedAt: now,
      });
      have.set(c.id, created);
      em.persist(created);
    }
  }

  /** Events may arrive out of order: a terminal state is never replaced by START or RUNNING. */
  private async foldRun(
    em: EntityManager,
    plan: IngestPlan,
    of: { job: NodeRef; runKey: string; run: NonNullable<OpenLineageEvent['run']> },
    event: OpenLineageEvent,
    now: Date,
  ): Promise<void> {
    const type: RunEventType = event.eventType ?? 'OTHER';
    const eventTime = new Date(event.eventTime);
    let run = await this.lineage.findRun(em, of.runKey);
    if (!run) {
      run = em.create(LineageRun, {
        id: of.runKey,
        organizationId: plan.organizationId,
        runId: of.run.runId,
        jobNode: of.job.id,
        state: type === 'OTHER' ? 'RUNNING' : type,
        lastEventTime: eventTime,
        createdAt: now,
        inputNodes: [],
        outputNodes: [],
      });
      em.persist(run);
    }
    if (type !== 'OTHER' && (TERMINAL.includes(type) || !TERMINAL.includes(run.state))) run.state = type;
    if (type === 'START' && (!run.startedAt || eventTime < run.startedAt)) run.startedAt = eventTime;
    if (TERMINAL.includes(type)) run.endedAt = eventTime;
    if (eventTime > run.lastEventTime) run.lastEventTime = eventTime;
    run.facets = mergeFacets(run.facets, of.run.facets);
    run.inputNodes = [...new Set([...run.inputNodes, ...plan.inputs.map((i) => i.id)])];
    run.outputNodes = [...new Set([...run.outputNodes, ...plan.outputs.map((o) => o.id)])];
  }
}
