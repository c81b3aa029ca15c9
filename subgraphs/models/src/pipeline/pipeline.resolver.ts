import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requireViewer } from '../../../../lib/src/index';
import type { ModelsContext } from '../context';
import { PipelineRun } from './pipeline-run.entity';
import { StartPipelineRunInput } from './pipeline.input';

@Resolver(() => PipelineRun)
export class PipelineResolver {
  @Query(() => PipelineRun)
  async pipelineRun(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<PipelineRun> {
    return ctx.services.pipelines.get(ctx.em, requireViewer(ctx.viewer).organizationId, id);
  }

  @Query(() => [PipelineRun], { description: 'Newest first' })
  async pipelineRuns(@Arg('limit', () => Int, { defaultValue: 50 }) limit: number, @Ctx() ctx: ModelsContext): Promise<PipelineRun[]> {
    return ctx.em.find(PipelineRun, { organizationId: requireViewer(ctx.viewer).organizationId }, { orderBy: { createdAt: 'desc' }, limit: Math.min(Math.max(1, limit), 500) });
  }

  @Mutation(() => PipelineRun, { description: 'Runs CHECK_QUALITY → TRAIN|STUDY → EVALUATE → PROMOTE as one tracked run (needs models:train, and models:promote to promote)' })
  async startPipelineRun(@Arg('input', () => StartPipelineRunInput) input: StartPipelineRunInput, @Ctx() ctx: ModelsContext): Promise<PipelineRun> {
    return ctx.services.pipelines.start(ctx.em, requireViewer(ctx.viewer), input);
  }
}
