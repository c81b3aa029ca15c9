import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelsContext } from '../context';
import { PipelineRun } from './pipeline-run.entity';
import { StartPipelineRunInput } from './pipeline.input';

@Resolver(() => PipelineRun)
export class PipelineResolver {
  @Query(() => PipelineRun, { nullable: true })
  pipelineRun(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<PipelineRun> {
    return ctx.services.pipelines.get(requestScope(ctx), id);
  }

  @Query(() => [PipelineRun], { nullable: true, description: 'Newest first' })
  pipelineRuns(
    @Arg('limit', () => Int, { defaultValue: 50 }) limit: number,
    @Ctx() ctx: ModelsContext,
  ): Promise<PipelineRun[]> {
    return ctx.services.pipelines.list(requestScope(ctx), limit);
  }

  @Mutation(() => PipelineRun, {
    description:
      'Runs CHECK_QUALITY → TRAIN|STUDY → EVALUATE → PROMOTE as one tracked run (needs models:train, and models:promote to promote)',
  })
  startPipelineRun(
    @Arg('input', () => StartPipelineRunInput) input: StartPipelineRunInput,
    @Ctx() ctx: ModelsContext,
  ): Promise<PipelineRun> {
    return ctx.services.pipelines.start(requestScope(ctx), input, ctx.authorization);
  }
}
