import type { EntityManager } from '@mikro-orm/core';
import { ColumnLineageEdge } from './column-lineage-edge.entity';
import { LineageEdge } from './lineage-edge.entity';
import { LineageNode } from './lineage-node.entity';
import { LineageRun } from './lineage-run.entity';

export type LineageDirection = 'UPSTREAM' | 'DOWNSTREAM' | 'BOTH';

export interface TraverseOptions {
  direction: LineageDirection;
  /** Edges to follow from the start node (dataset -> job and job -> dataset each count as one). */
  depth: number;
  /** Stop adding nodes past this many; the result is then marked truncated. @default 10000 */
  maxNodes?: number;
}

export interface LineageGraphNode {
  node: LineageNode;
  depth: number;
}

export interface LineageGraphEdge {
  from: string;
  to: string;
}

export interface LineageGraph {
  nodes: LineageGraphNode[];
  edges: LineageGraphEdge[];
  truncated: boolean;
}

export interface ColumnRef {
  nodeId: string;
  field: string;
}

export interface ColumnLineageLink {
  output: ColumnRef;
  input: ColumnRef;
  transformations: unknown[] | null;
  depth: number;
}

export const MAX_LINEAGE_DEPTH = 20;
// Well below SQLite's and PostgreSQL's bound-parameter limits.
const BATCH = 5000;

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The lineage graph's queries: nodes, runs, the edge tables and the traversals over them. Nodes,
 * edges and runs are scoped to their organization by construction of their ids (lineage.ids.ts).
 * Stateless: the caller's `em` is the unit of work.
 */
/** The part of a SQL driver's query builder `edgesTouching` uses (MongoDB's EntityManager has none). */
interface EdgeQueryBuilder {
  select(fields: string[]): EdgeQueryBuilder;
  where(cond: object): EdgeQueryBuilder;
  execute(mode: 'all', mapResults: boolean): Promise<{ fromNode: string; toNode: string }[]>;
}

export class LineageRepository {
  findNode(em: EntityManager, id: string): Promise<LineageNode | null> {
    return em.findOne(LineageNode, { id });
  }

  getNode(em: EntityManager, id: string): Promise<LineageNode> {
    return em.findOneOrFail(LineageNode, { id });
  }

  /** The nodes with these ids, by name. */
  nodesByName(em: EntityManager, ids: string[]): Promise<LineageNode[]> {
    return em.find(LineageNode, { id: { $in: ids } }, { orderBy: { name: 'asc' } });
  }

  /** The nodes with these ids, in no particular order. */
  nodes(em: EntityManager, ids: string[]): Promise<LineageNode[]> {
    return em.find(LineageNode, { id: { $in: ids } });
  }

  edges(em: EntityManager, ids: string[]): Promise<LineageEdge[]> {
    return em.find(LineageEdge, { id: { $in: ids } });
  }

  columnEdges(em: EntityManager, ids: string[]): Promise<ColumnLineageEdge[]> {
    return em.find(ColumnLineageEdge, { id: { $in: ids } });
  }

  findRun(em: EntityManager, runKey: string): Promise<LineageRun | null> {
    return em.findOne(LineageRun, { id: runKey });
  }

  findRunIn(em: EntityManager, organizationId: string, id: string): Promise<LineageRun | null> {
    return em.findOne(LineageRun, { id, organizationId });
  }

  /** Runs of a job, newest event first. */
  runsOf(em: EntityManager, organizationId: string, jobNodeId: string, first: number): Promise<LineageRun[]> {
    return em.find(
      LineageRun,
      { organizationId, jobNode: jobNodeId },
      { orderBy: { lastEventTime: 'desc' }, limit: first },
    );
  }

  /** Edge rows touching `ids` on one side; raw rows through the query builder on SQL drivers (no hydration). */
  private async edgesTouching(
    em: EntityManager,
    side: 'fromNode' | 'toNode',
    ids: string[],
  ): Promise<LineageGraphEdge[]> {
    const out: LineageGraphEdge[] = [];
    for (const batch of chunk(ids, BATCH)) {
      const sqlEm = em as EntityManager & { createQueryBuilder?: (e: typeof LineageEdge) => EdgeQueryBuilder };
      const rows: { fromNode: string; toNode: string }[] = sqlEm.createQueryBuilder
        ? await sqlEm
            .createQueryBuilder(LineageEdge)
            .select(['fromNode', 'toNode'])
            .where({ [side]: { $in: batch } })
            .execute('all', true)
        : await em.find(
            LineageEdge,
            { [side]: { $in: batch } },
            { fields: ['fromNode', 'toNode'], disableIdentityMap: true },
          );
      for (const r of rows) out.push({ from: r.fromNode, to: r.toNode });
    }
    return out;
  }

  /**
   * Breadth-first traversal of the lineage graph from one node, one query per batch of the frontier per
   * level over the indexed edge table. Visited nodes are never expanded twice, so cycles end; depth and
   * `maxNodes` bound the work.
   */
  async traverse(em: EntityManager, startNodeId: string, options: TraverseOptions): Promise<LineageGraph> {
    const depth = Math.max(0, Math.min(options.depth, MAX_LINEAGE_DEPTH));
    const maxNodes = options.maxNodes ?? 10_000;
    const depthOf = new Map<string, number>([[startNodeId, 0]]);
    const edgeKeys = new Set<string>();
    const edges: LineageGraphEdge[] = [];
    let truncated = false;
    const walk = async (dir: 'UPSTREAM' | 'DOWNSTREAM'): Promise<void> => {
      const seen = new Set<string>([startNodeId]);
      let frontier = [startNodeId];
      for (let level = 1; level <= depth && frontier.length > 0 && !truncated; level += 1) {
        const found = await this.edgesTouching(em, dir === 'UPSTREAM' ? 'toNode' : 'fromNode', frontier);
        const next: string[] = [];
        for (const e of found) {
          const other = dir === 'UPSTREAM' ? e.from : e.to;
          if (!seen.has(other)) {
            if (!depthOf.has(other) && depthOf.size >= maxNodes) {
              truncated = true;
              continue;
            }
            seen.add(other);
            next.push(other);
            if (!depthOf.has(other) || depthOf.get(other)! > level) depthOf.set(other, level);
          }
          const key = `${e.from}>${e.to}`;
          if (!edgeKeys.has(key)) {
            edgeKeys.add(key);
            edges.push(e);
          }
        }
        frontier = next;
      }
    };
    if (options.direction !== 'DOWNSTREAM') await walk('UPSTREAM');
    if (options.direction !== 'UPSTREAM') await walk('DOWNSTREAM');
    const nodes: LineageGraphNode[] = [];
    for (const batch of chunk([...depthOf.keys()], BATCH)) {
      for (const node of await this.nodes(em, batch)) nodes.push({ node, depth: depthOf.get(node.id)! });
    }
    nodes.sort((a, b) => a.depth - b.depth || a.node.name.localeCompare(b.node.name));
    const present = new Set(nodes.map((n) => n.node.id));
    return { nodes, edges: edges.filter((e) => present.has(e.from) && present.has(e.to)), truncated };
  }

  /**
   * Follows column lineage from one column (or every column of a dataset when `field` is null),
   * upstream (towards input fields) or downstream, level by level with a visited set.
   */
  async traverseColumns(
    em: EntityManager,
    nodeId: string,
    field: string | null,
    direction: 'UPSTREAM' | 'DOWNSTREAM',
    depth: number,
  ): Promise<ColumnLineageLink[]> {
    const bound = Math.max(0, Math.min(depth, MAX_LINEAGE_DEPTH));
    const key = (r: ColumnRef): string => `${r.nodeId}\u0000${r.field}`;
    const links: ColumnLineageLink[] = [];
    const seen = new Set<string>();
    const up = direction === 'UPSTREAM';
    let frontier: ColumnRef[] = [];
    if (field !== null) frontier = [{ nodeId, field }];
    for (let level = 1; level <= bound; level += 1) {
      const rows: ColumnLineageEdge[] = [];
      if (level === 1 && field === null)
        rows.push(...(await em.find(ColumnLineageEdge, up ? { outputNode: nodeId } : { inputNode: nodeId })));
      else {
        if (frontier.length === 0) break;
        for (const batch of chunk([...new Set(frontier.map((f) => f.nodeId))], BATCH)) {
          const fields = new Set(frontier.map(key));
          const found = await em.find(
            ColumnLineageEdge,
            up ? { outputNode: { $in: batch } } : { inputNode: { $in: batch } },
          );
          rows.push(
            ...found.filter((r) =>
              fields.has(
                up
                  ? key({ nodeId: r.outputNode, field: r.outputField })
                  : key({ nodeId: r.inputNode, field: r.inputField }),
              ),
            ),
          );
        }
      }
      const next: ColumnRef[] = [];
      for (const r of rows) {
        if (seen.has(r.id)) continue;
        seen.add(r.id);
        const output = { nodeId: r.outputNode, field: r.outputField };
        const input = { nodeId: r.inputNode, field: r.inputField };
        links.push({ output, input, transformations: r.transformations ?? null, depth: level });
        next.push(up ? input : output);
      }
      frontier = next;
    }
    return links;
  }
}
