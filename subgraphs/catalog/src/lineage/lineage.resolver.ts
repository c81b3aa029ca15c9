import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { JSONObjectScalar } from '../../../../lib/src/index';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogContext } from '../context';
import { Dataset } from '../dataset/dataset.entity';
import { CATALOG_NAMESPACE } from './lineage.ids';
import { LineageNode } from './lineage-node.entity';
import { LineageRun } from './lineage-run.entity';
import { DEFAULT_LINEAGE_DEPTH, LINEAGE_EVENT_TOPIC } from './lineage.service';
import { lineageStart } from './lineage.start';
import {
  ColumnLineageLinkType,
  LineageDirectionEnum,
  LineageEventNotification,
  LineageGraphResult,
  LineageIngestResult,
  LineageNodeInput,
  LineageNodeKindEnum,
} from './lineage.type';

@Resolver(() => LineageNode)
export class LineageResolver {
  @Mutation(() => LineageIngestResult, {
    description:
      'Ingests one OpenLineage 2-0-2 event (run, job or dataset event); invalid events are BAD_USER_INPUT with the failing paths in extensions.fields.',
  })
  ingestLineageEvent(
    @Arg('event', () => JSONObjectScalar) event: Record<string, unknown>,
    @Ctx() ctx: CatalogContext,
  ): Promise<LineageIngestResult> {
    return ctx.services.lineage.ingestEvent(requestScope(ctx), event);
  }

  @Query(() => LineageNode, { nullable: true })
  lineageNode(
    @Arg('namespace', () => String) namespace: string,
    @Arg('name', () => String) name: string,
    @Arg('kind', () => LineageNodeKindEnum, { defaultValue: LineageNodeKindEnum.DATASET }) kind: LineageNodeKindEnum,
    @Ctx() ctx: CatalogContext,
  ): Promise<LineageNode | null> {
    return ctx.services.lineage.node(requestScope(ctx), namespace, name, kind);
  }

  @Query(() => LineageGraphResult, {
    nullable: true,
    description:
      'The lineage graph around any node (`from`, or the older namespace + name + kind): upstream and downstream across services, dataset → training run → model version → endpoint deployment → endpoint → application rollout → application, with batch inference and synthetic jobs. Depth counts edges (dataset -> job -> dataset is 2).',
  })
  lineage(
    @Ctx() ctx: CatalogContext,
    @Arg('from', () => LineageNodeInput, { nullable: true }) from: LineageNodeInput | null,
    @Arg('namespace', () => String, { nullable: true, description: 'Use `from`.' }) namespace: string | null,
    @Arg('name', () => String, { nullable: true, description: 'Use `from`.' }) name: string | null,
    @Arg('kind', () => LineageNodeKindEnum, { nullable: true, description: 'Use `from`; DATASET when omitted here.' })
    kind: LineageNodeKindEnum | null,
    @Arg('direction', () => LineageDirectionEnum, { defaultValue: LineageDirectionEnum.BOTH })
    direction: LineageDirectionEnum,
    @Arg('depth', () => Int, { defaultValue: DEFAULT_LINEAGE_DEPTH }) depth: number,
    @Arg('maxNodes', () => Int, { defaultValue: 1000 }) maxNodes: number,
  ): Promise<LineageGraphResult> {
    const start = lineageStart(from, namespace, name, kind);
    return ctx.services.lineage.graph(requestScope(ctx), { ...start, direction, depth, maxNodes });
  }

  @Query(() => [ColumnLineageLinkType], {
    nullable: true,
    description:
      'Column lineage from the ColumnLineageDatasetFacet, followed across datasets; all columns of the dataset when field is omitted.',
  })
  columnLineage(
    @Arg('namespace', () => String) namespace: string,
    @Arg('name', () => String) name: string,
    @Ctx() ctx: CatalogContext,
    @Arg('field', () => String, { nullable: true }) field?: string,
    @Arg('direction', () => LineageDirectionEnum, { defaultValue: LineageDirectionEnum.UPSTREAM })
    direction: LineageDirectionEnum = LineageDirectionEnum.UPSTREAM,
    @Arg('depth', () => Int, { defaultValue: 4 }) depth: number = 4,
  ): Promise<ColumnLineageLinkType[]> {
    return ctx.services.lineage.columnLineage(requestScope(ctx), {
      namespace,
      name,
      field: field ?? null,
      direction,
      depth,
    });
  }

  @Query(() => LineageRun, { nullable: true, description: 'A run by its OpenLineage runId.' })
  lineageRun(@Arg('runId', () => ID) runId: string, @Ctx() ctx: CatalogContext): Promise<LineageRun | null> {
    return ctx.services.lineage.run(requestScope(ctx), runId);
  }

  @Query(() => [LineageRun], { nullable: true, description: 'Runs of a job, newest first.' })
  lineageRuns(
    @Arg('namespace', () => String) namespace: string,
    @Arg('name', () => String) name: string,
    @Ctx() ctx: CatalogContext,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
  ): Promise<LineageRun[]> {
    return ctx.services.lineage.runs(requestScope(ctx), namespace, name, first);
  }

  @Subscription(() => LineageEventNotification, {
    topics: LINEAGE_EVENT_TOPIC,
    filter: ({
      payload,
      args,
      context,
    }: {
      payload: LineageEventNotification;
      args: { namespace?: string };
      context: CatalogContext;
    }) =>
      payload.organizationId === context.viewer?.organizationId &&
      (!args.namespace ||
        [payload.job, ...payload.inputs, ...payload.outputs].some((d) => d?.namespace === args.namespace)),
    description: 'OpenLineage events of your organization as they arrive; optionally only those touching a namespace.',
  })
  lineageEvents(
    @Root() event: LineageEventNotification,
    @Arg('namespace', () => String, { nullable: true }) _namespace?: string,
  ): LineageEventNotification {
    return event;
  }

  @FieldResolver(() => Dataset, {
    nullable: true,
    description: 'The catalog dataset this node is, when the viewer can see it.',
  })
  dataset(@Root() node: LineageNode, @Ctx() ctx: CatalogContext): Promise<Dataset | null> {
    return ctx.services.lineage.datasetOf(requestScope(ctx), node);
  }
}

@Resolver(() => LineageRun)
export class LineageRunResolver {
  @FieldResolver(() => LineageNode)
  job(@Root() run: LineageRun, @Ctx() ctx: CatalogContext): Promise<LineageNode> {
    return ctx.services.lineage.jobOf(requestScope(ctx), run);
  }

  @FieldResolver(() => [LineageNode])
  inputs(@Root() run: LineageRun, @Ctx() ctx: CatalogContext): Promise<LineageNode[]> {
    return ctx.services.lineage.inputsOf(requestScope(ctx), run);
  }

  @FieldResolver(() => [LineageNode])
  outputs(@Root() run: LineageRun, @Ctx() ctx: CatalogContext): Promise<LineageNode[]> {
    return ctx.services.lineage.outputsOf(requestScope(ctx), run);
  }
}

@Resolver(() => Dataset)
export class DatasetLineageResolver {
  @FieldResolver(() => LineageGraphResult, {
    description: `Lineage of this dataset (its node is ${CATALOG_NAMESPACE} / datasets/<id>).`,
  })
  lineage(
    @Root() dataset: Dataset,
    @Ctx() ctx: CatalogContext,
    @Arg('direction', () => LineageDirectionEnum, { defaultValue: LineageDirectionEnum.BOTH })
    direction: LineageDirectionEnum,
    @Arg('depth', () => Int, { defaultValue: DEFAULT_LINEAGE_DEPTH }) depth: number,
  ): Promise<LineageGraphResult> {
    return ctx.services.lineage.datasetGraph(requestScope(ctx), dataset, direction, depth);
  }
}
