import type { EntityManager } from '@mikro-orm/core';
import type { OpenLineageEventKind } from '../openlineage/openlineage.validator';
import type { ColumnLineageInput, OpenLineageDataset, OpenLineageEvent, RunEventType } from '../../../../lib/src/openlineage/openlineage.types';
import { ColumnLineageEdge } from './column-lineage-edge.entity';
import { LineageEdge } from './lineage-edge.entity';
import { LineageEventRecord } from './lineage-event.entity';
import { catalogDatasetIdOf, columnEdgeId, lineageEdgeId, lineageNodeId, lineageRunKey } from './lineage.ids';
import type { LineageNodeKind } from './lineage.ids';
import { LineageNode } from './lineage-node.entity';
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

function mergeFacets(current: Record<string, unknown> | null | undefined, next: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!next || Object.keys(next).length === 0) return current ?? null;
  return { ...(current ?? {}), ...next };
}

/** Column lineage pairs from an output's ColumnLineageDatasetFacet. */
function columnPairs(output: OpenLineageDataset): { outputField: string; input: ColumnLineageInput }[] {
  const facet = output.facets?.columnLineage as { fields?: Record<string, { inputFields?: ColumnLineageInput[] }> } | undefined;
  if (!facet?.fields) return [];
  return Object.entries(facet.fields).flatMap(([outputField, f]) => (f.inputFields ?? []).map((input) => ({ outputField, input })));
}

/**
 * Folds one validated OpenLineage document into the lineage graph of an organization: upserts the job
 * and dataset nodes (facets merged), the input->job->output edges, the run's state and column lineage,
 * and keeps the whole document. Everything is written in one flush (one transaction on SQL drivers).
 */
export async function ingestLineageEvent(em: EntityManager, organizationId: string, kind: OpenLineageEventKind, event: OpenLineageEvent): Promise<IngestResult> {
  const ref = (k: LineageNodeKind, namespace: string, name: string, facets?: Record<string, unknown>): NodeRef => ({
    id: lineageNodeId(organizationId, k, namespace, name),
    kind: k,
    namespace,
    name,
    facets,
  });
  const job = event.job ? ref('JOB', event.job.namespace, event.job.name, event.job.facets) : null;
  const inputs = (event.inputs ?? []).map((d) => ref('DATASET', d.namespace, d.name, d.facets));
  const outputs = (event.outputs ?? []).map((d) => ref('DATASET', d.namespace, d.name, d.facets));
  const single = event.dataset ? [ref('DATASET', event.dataset.namespace, event.dataset.name, event.dataset.facets)] : [];
  const columns = (event.outputs ?? []).flatMap((o) => columnPairs(o).map((p) => ({ ...p, outputId: lineageNodeId(organizationId, 'DATASET', o.namespace, o.name) })));
  const columnInputs = columns.map((c) => ref('DATASET', c.input.namespace, c.input.name));

  const refs = new Map<string, NodeRef>();
  for (const r of [...(job ? [job] : []), ...inputs, ...outputs, ...single, ...columnInputs]) {
    const prev = refs.get(r.id);
    refs.set(r.id, prev ? { ...prev, facets: mergeFacets(prev.facets, r.facets) ?? undefined } : r);
  }
  const existing = new Map((await em.find(LineageNode, { id: { $in: [...refs.keys()] } })).map((n) => [n.id, n]));
  const now = new Date();
  for (const r of refs.values()) {
    const node = existing.get(r.id);
    if (node) {
      node.facets = mergeFacets(node.facets, r.facets);
      node.updatedAt = now;
    } else {
      em.persist(
        em.create(LineageNode, {
          id: r.id,
          organizationId,
          kind: r.kind,
          namespace: r.namespace,
          name: r.name,
          datasetId: r.kind === 'DATASET' ? (catalogDatasetIdOf(r.namespace, r.name) ?? null) : null,
          facets: mergeFacets(null, r.facets),
          createdAt: now,
          updatedAt: now,
        }),
      );
    }
  }

  const runKey = event.run ? lineageRunKey(organizationId, event.run.runId) : null;
  if (job) {
    const pairs = [...inputs.map((i) => [i.id, job.id] as const), ...outputs.map((o) => [job.id, o.id] as const)];
    const edgeIds = pairs.map(([a, b]) => lineageEdgeId(a, b));
    const have = new Map((await em.find(LineageEdge, { id: { $in: edgeIds } })).map((e) => [e.id, e]));
    pairs.forEach(([from, to], i) => {
      const edge = have.get(edgeIds[i]);
      if (edge) {
        edge.lastRunId = event.run?.runId ?? edge.lastRunId;
        edge.updatedAt = now;
      } else if (!have.has(edgeIds[i])) {
        const created = em.create(LineageEdge, { id: edgeIds[i], organizationId, fromNode: from, toNode: to, lastRunId: event.run?.runId ?? null, updatedAt: now });
        have.set(edgeIds[i], created);
        em.persist(created);
      }
    });
  }

  if (columns.length > 0) {
    const ids = columns.map((c) => columnEdgeId(c.outputId, c.outputField, lineageNodeId(organizationId, 'DATASET', c.input.namespace, c.input.name), c.input.field));
    const have = new Map((await em.find(ColumnLineageEdge, { id: { $in: ids } })).map((e) => [e.id, e]));
    columns.forEach((c, i) => {
      const edge = have.get(ids[i]);
      if (edge) {
        edge.transformations = c.input.transformations ?? null;
        edge.updatedAt = now;
        return;
      }
      const created = em.create(ColumnLineageEdge, {
        id: ids[i],
        organizationId,
        outputNode: c.outputId,
        outputField: c.outputField,
        inputNode: lineageNodeId(organizationId, 'DATASET', c.input.namespace, c.input.name),
        inputField: c.input.field,
        transformations: c.input.transformations ?? null,
        updatedAt: now,
      });
      have.set(ids[i], created);
      em.persist(created);
    });
  }

  const eventTime = new Date(event.eventTime);
  if (event.run && job && runKey) {
    const type: RunEventType = event.eventType ?? 'OTHER';
    let run = await em.findOne(LineageRun, { id: runKey });
    if (!run) {
      run = em.create(LineageRun, { id: runKey, organizationId, runId: event.run.runId, jobNode: job.id, state: type === 'OTHER' ? 'RUNNING' : type, lastEventTime: eventTime, createdAt: now, inputNodes: [], outputNodes: [] });
      em.persist(run);
    }
    // Events may arrive out of order: a terminal state is never replaced by START or RUNNING.
    if (type !== 'OTHER' && (TERMINAL.includes(type) || !TERMINAL.includes(run.state))) run.state = type;
    if (type === 'START' && (!run.startedAt || eventTime < run.startedAt)) run.startedAt = eventTime;
    if (TERMINAL.includes(type)) run.endedAt = eventTime;
    if (eventTime > run.lastEventTime) run.lastEventTime = eventTime;
    run.facets = mergeFacets(run.facets, event.run.facets);
    run.inputNodes = [...new Set([...run.inputNodes, ...inputs.map((i) => i.id)])];
    run.outputNodes = [...new Set([...run.outputNodes, ...outputs.map((o) => o.id)])];
  }

  const record = em.create(LineageEventRecord, {
    organizationId,
    kind,
    eventType: event.eventType ?? null,
    runId: event.run?.runId ?? null,
    eventTime,
    receivedAt: now,
    payload: event as unknown as Record<string, unknown>,
  });
  em.persist(record);
  await em.flush();
  return {
    eventId: record.id,
    kind,
    jobNodeId: job?.id ?? null,
    runKey,
    inputNodeIds: inputs.map((i) => i.id),
    outputNodeIds: [...outputs, ...single].map((o) => o.id),
  };
}
