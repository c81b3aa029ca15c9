import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { ModelsContext } from '../context';
import { ModelVersion } from '../model-version/model-version.entity';
import { Study } from './study.entity';
import type { StudyTrial } from './study.entity';
import { StudyTrialType } from './study-trial.type';
import { StudyEvent } from './study.event';
import { StartStudyInput } from './study.input';

@Resolver(() => Study)
export class StudyResolver {
  @Query(() => Study, { nullable: true })
  study(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<Study> {
    return ctx.services.studies.get(requestScope(ctx), id);
  }

  @Query(() => [Study], { nullable: true, description: 'Newest first' })
  studies(@Arg('limit', () => Int, { defaultValue: 50 }) limit: number, @Ctx() ctx: ModelsContext): Promise<Study[]> {
    return ctx.services.studies.list(requestScope(ctx), limit);
  }

  @Mutation(() => Study, {
    description: 'Starts a hyperparameter search; trials run in the worker pool; the best trial is registered',
  })
  startStudy(@Arg('input', () => StartStudyInput) input: StartStudyInput, @Ctx() ctx: ModelsContext): Promise<Study> {
    return ctx.services.studies.start(requestScope(ctx), input, ctx.authorization);
  }

  @Mutation(() => Study)
  cancelStudy(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<Study> {
    return ctx.services.studies.cancel(requestScope(ctx), id);
  }

  @Subscription(() => StudyEvent, {
    description: 'Trial reports and outcomes until the study ends',
    subscribe: ({ args, context }) =>
      (context as ModelsContext).services.studies.events(requestScope(context as ModelsContext), args.id as string),
  })
  studyProgress(@Arg('id', () => ID) _id: string, @Root() event: StudyEvent): StudyEvent {
    return event;
  }

  @FieldResolver(() => [StudyTrialType])
  trials(@Root() study: Study, @Ctx() ctx: ModelsContext): Promise<StudyTrial[]> {
    return ctx.services.studies.trialsOf(requestScope(ctx), study);
  }

  @FieldResolver(() => StudyTrialType, { nullable: true })
  async bestTrial(@Root() study: Study, @Ctx() ctx: ModelsContext): Promise<StudyTrial | null> {
    return ctx.services.studies.bestTrialOf(requestScope(ctx), study);
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The registered best trial' })
  async modelVersion(@Root() study: Study, @Ctx() ctx: ModelsContext): Promise<ModelVersion | null> {
    return ctx.services.studies.resultOf(requestScope(ctx), study);
  }
}
