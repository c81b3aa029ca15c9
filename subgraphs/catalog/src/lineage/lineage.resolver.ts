import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { BadUserInputError, JSONObjectScalar, NotFoundError, requireViewer } from '../../../../lib/src/index';
import type { CatalogContext } from '../context';
import { LINEAGE_EVENT_TOPIC } from '../context';
import { Dataset } from '../dataset/dataset.entity';
import { accessLevelFor } from '../governance/access.service';
import type { LineageGraph } from './lineage.graph';
import { MAX_LINEAGE_DEPTH, traverseColumnLineage, traverseLineage } from './lineage.graph';
import { CATALOG_NAMESPACE, catalogDatasetName, lineageNodeId, lineageRunKey } from './lineage.ids';
import { LineageNode } from './lineage-node.entity';
import { LineageRun } from './lineage-run.entity';
import { acceptLineageEvent } from './lineage.service';
import { ColumnLineageLinkType, LineageDirectionEnum, LineageEventNotification, LineageGraphResult, LineageIngestResult, LineageNodeKindEnum } from './lineage.types';

function checkDepth(depth: number, maxNodes: number): void {
  if (depth < 0 || depth > MAX_LINEAGE_DEPTH) throw new BadUserInputError('Invalid depth', [{ field: 'depth', message: `must be between 0 and ${MAX_LINEAGE_DEPTH}` }]);
  if (maxNodes < 1 || maxNodes > 10_000) throw new BadUserInputError('Invalid maxNodes', [{ field: 'maxNodes', message: 'must be between 1 and 10000' }]);
}

const toResult = (g: LineageGraph): LineageGraphResult => ({ nodes: g.nodes, edges: g.edges.map((e) => ({ fromId: e.from, toId: e.to })), truncated: g.truncated });

@Resolver(() => LineageNode)
export class LineageResolver {
  @Mutation(() => LineageIngestResult, { description: 'Ingests one OpenLineage 2-0-2 event (run, job or dataset event); invalid events are BAD_USER_INPUT with the failing paths in extensions.fields.' })
  async ingestLineageEvent(@Arg('event', () => JSONObjectScalar) event: Record<string, unknown>, @Ctx() ctx: CatalogContext): Promise<LineageIngestResult> {
    const viewer = requireViewer(ctx.viewer);
    const r = await acceptLineageEvent(ctx.em, ctx.catalog, viewer.organizationId, event);
    return { eventId: r.eventId, kind: r.kind, runKey: r.runKey, job: r.jobNodeId ? await ctx.em.findOne(LineageNode, { id: r.jobNodeId }) : null };
  }

  @Query(() => LineageNode, { nullable: true })
  lineageNode(
    @Arg('namespace', () => String) namespace: string,
    @Arg('name', () => String) name: string,
    @Arg('kind', () => LineageNodeKindEnum, { defaultValue: LineageNodeKindEnum.DATASET }) kind: LineageNodeKindEnum,
    @Ctx() ctx: CatalogContext,
  ): Promise<LineageNode | null> {
    return ctx.em.findOne(LineageNode, { id: lineageNodeId(requireViewer(ctx.viewer).organizationId, kind, namespace, name) });
  }

  @Query(() => LineageGraphResult, { description: 'The lineage graph around a job or dataset; depth counts edges (dataset -> job -> dataset is 2).' })
  async lineage(
    @Arg('namespace', () => String) namespace: string,
    @Arg('name', () => String) name: string,
    @Ctx() ctx: CatalogContext,
    @Arg('kind', () => LineageNodeKindEnum, { defaultValue: LineageNodeKindEnum.DATASET }) kind: LineageNodeKindEnum,
    @Arg('direction', () => LineageDirectionEnum, { defaultValue: LineageDirectionEnum.BOTH }) direction: LineageDirectionEnum,
    @Arg('depth', () => Int, { defaultValue: 4 }) depth: number,
    @Arg('maxNodes', () => Int, { defaultValue: 1000 }) maxNodes: number,
  ): Promise<LineageGraphResult> {
    checkDepth(depth, maxNodes);
    const id = lineageNodeId(requireViewer(ctx.viewer).organizationId, kind, namespace, name);
    if (!(await ctx.em.findOne(LineageNode, { id }))) throw new NotFoundError('LineageNode', `${namespace}/${name}`);
    return toResult(await traverseLineage(ctx.em, id, { direction, depth, maxNodes }));
  }

  @Query(() => [ColumnLineageLinkType], { description: 'Column lineage from the ColumnLineageDatasetFacet, followed across datasets; all columns of the dataset when field is omitted.' })
  async columnLineage(
    @Arg('namespace', () => String) namespace: string,
    @Arg('name', () => String) name: string,
    @Ctx() ctx: CatalogContext,
    @Arg('field', () => String, { nullable: true }) field?: string,
    @Arg('direction', () => LineageDirectionEnum, { defaultValue: LineageDirectionEnum.UPSTREAM }) direction: LineageDirectionEnum = LineageDirectionEnum.UPSTREAM,
    @Arg('depth', () => Int, { defaultValue: 4 }) depth: number = 4,
  ): Promise<ColumnLineageLinkType[]> {
    checkDepth(depth, 1);
    if (direction === LineageDirectionEnum.BOTH) throw new BadUserInputError('Column lineage goes one way', [{ field: 'direction', message: 'must be UPSTREAM or DOWNSTREAM' }]);
    const id = lineageNodeId(requireViewer(ctx.viewer).organizationId, 'DATASET', namespace, name);
    const links = await traverseColumnLineage(ctx.em, id, field ?? null, direction, depth);
    const ids = [...new Set(links.flatMap((l) => [l.input.nodeId, l.output.nodeId]))];
    const nodes = new Map((await ctx.em.find(LineageNode, { id: { $in: ids } })).map((n) => [n.id, n]));
    return links.map((l) => ({
      depth: l.depth,
      transformations: l.transformations,
      input: { dataset: nodes.get(l.input.nodeId)!, field: l.input.field },
      output: { dataset: nodes.get(l.output.nodeId)!, field: l.output.field },
    }));
  }

  @Query(() => LineageRun, { nullable: true, description: 'A run by its OpenLineage runId.' })
  lineageRun(@Arg('runId', () => ID) runId: string, @Ctx() ctx: CatalogContext): Promise<LineageRun | null> {
    return ctx.em.findOne(LineageRun, { id: lineageRunKey(requireViewer(ctx.viewer).organizationId, runId) });
  }

  @Query(() => [LineageRun], { description: 'Runs of a job, newest first.' })
  lineageRuns(@Arg('namespace', () => String) namespace: string, @Arg('name', () => String) name: string, @Ctx() ctx: CatalogContext, @Arg('first', () => Int, { defaultValue: 20 }) first: number): Promise<LineageRun[]> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.em.find(LineageRun, { organizationId: viewer.organizationId, jobNode: lineageNodeId(viewer.organizationId, 'JOB', namespace, name) }, { orderBy: { lastEventTime: 'desc' }, limit: Math.max(1, Math.min(first, 200)) });
  }

  @Subscription(() => LineageEventNotification, {
    topics: LINEAGE_EVENT_TOPIC,
    filter: ({ payload, args, context }: { payload: LineageEventNotification; args: { namespace?: string }; context: CatalogContext }) =>
      payload.organizationId === context.viewer?.organizationId &&
      (!args.namespace || [payload.job, ...payload.inputs, ...payload.outputs].some((d) => d?.namespace === args.namespace)),
    description: 'OpenLineage events of your organization as they arrive; optionally only those touching a namespace.',
  })
  lineageEvents(@Root() event: LineageEventNotification, @Arg('namespace', () => String, { nullable: true }) _namespace?: string): LineageEventNotification {
    return event;
  }

  @FieldResolver(() => Dataset, { nullable: true, description: 'The catalog dataset this node is, when the viewer can see it.' })
  async dataset(@Root() node: LineageNode, @Ctx() ctx: CatalogContext): Promise<Dataset | null> {
    if (!node.datasetId) return null;
    const d = await ctx.em.findOne(Dataset, { id: node.datasetId, organizationId: node.organizationId });
    return d && (await accessLevelFor(ctx.em, requireViewer(ctx.viewer), d)) !== 'NONE' ? d : null;
  }
}

@Resolver(() => LineageRun)
export class LineageRunResolver {
  @FieldResolver(() => LineageNode)
  job(@Root() run: LineageRun, @Ctx() ctx: CatalogContext): Promise<LineageNode> {
    return ctx.em.findOneOrFail(LineageNode, { id: run.jobNode });
  }

  @FieldResolver(() => [LineageNode])
  inputs(@Root() run: LineageRun, @Ctx() ctx: CatalogContext): Promise<LineageNode[]> {
    return ctx.em.find(LineageNode, { id: { $in: run.inputNodes } }, { orderBy: { name: 'asc' } });
  }

  @FieldResolver(() => [LineageNode])
  outputs(@Root() run: LineageRun, @Ctx() ctx: CatalogContext): Promise<LineageNode[]> {
    return ctx.em.find(LineageNode, { id: { $in: run.outputNodes } }, { orderBy: { name: 'asc' } });
  }
}

@Resolver(() => Dataset)
export class DatasetLineageResolver {
  @FieldResolver(() => LineageGraphResult, { description: `Lineage of this dataset (its node is ${CATALOG_NAMESPACE} / datasets/<id>).` })
  async lineage(
    @Root() dataset: Dataset,
    @Ctx() ctx: CatalogContext,
    @Arg('direction', () => LineageDirectionEnum, { defaultValue: LineageDirectionEnum.BOTH }) direction: LineageDirectionEnum,
    @Arg('depth', () => Int, { defaultValue: 4 }) depth: number,
  ): Promise<LineageGraphResult> {
    checkDepth(depth, 1);
    const id = lineageNodeId(dataset.organizationId, 'DATASET', CATALOG_NAMESPACE, catalogDatasetName(dataset.id));
    if (!(await ctx.em.findOne(LineageNode, { id }))) return { nodes: [], edges: [], truncated: false };
    return toResult(await traverseLineage(ctx.em, id, { direction, depth, maxNodes: 1000 }));
  }
}
