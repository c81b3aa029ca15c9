import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireViewer } from '../../../../lib/src/index';
import type { ModelsContext } from '../context';
import { ModelVersion } from '../model-version/model-version.entity';
import { Study, StudyTrial } from './study.entity';
import { StudyEvent } from './study.event';
import { StartStudyInput } from './study.input';

@Resolver(() => Study)
export class StudyResolver {
  @Query(() => Study)
  async study(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<Study> {
    return ctx.services.studies.get(ctx.em, requireViewer(ctx.viewer).organizationId, id);
  }

  @Query(() => [Study], { description: 'Newest first' })
  async studies(@Arg('limit', () => Int, { defaultValue: 50 }) limit: number, @Ctx() ctx: ModelsContext): Promise<Study[]> {
    return ctx.em.find(Study, { organizationId: requireViewer(ctx.viewer).organizationId }, { orderBy: { createdAt: 'desc' }, limit: Math.min(Math.max(1, limit), 500) });
  }

  @Mutation(() => Study, { description: 'Starts a hyperparameter search; trials run in the worker pool; the best trial is registered' })
  async startStudy(@Arg('input', () => StartStudyInput) input: StartStudyInput, @Ctx() ctx: ModelsContext): Promise<Study> {
    return ctx.services.studies.start(ctx.em, requireViewer(ctx.viewer), input);
  }

  @Mutation(() => Study)
  async cancelStudy(@Arg('id', () => ID) id: string, @Ctx() ctx: ModelsContext): Promise<Study> {
    return ctx.services.studies.cancel(ctx.em, requireViewer(ctx.viewer), id);
  }

  @Subscription(() => StudyEvent, {
    description: 'Trial reports and outcomes until the study ends',
    subscribe: ({ args, context }) => (context as ModelsContext).services.studies.events(requireViewer((context as ModelsContext).viewer).organizationId, args.id as string),
  })
  studyProgress(@Arg('id', () => ID) _id: string, @Root() event: StudyEvent): StudyEvent {
    return event;
  }

  @FieldResolver(() => [StudyTrial])
  async trials(@Root() study: Study, @Ctx() ctx: ModelsContext): Promise<StudyTrial[]> {
    return ctx.em.find(StudyTrial, { studyId: study.id }, { orderBy: { number: 'asc' } });
  }

  @FieldResolver(() => StudyTrial, { nullable: true })
  async bestTrial(@Root() study: Study, @Ctx() ctx: ModelsContext): Promise<StudyTrial | null> {
    return study.bestTrialNumber == null ? null : ctx.em.findOne(StudyTrial, { studyId: study.id, number: study.bestTrialNumber });
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The registered best trial' })
  async modelVersion(@Root() study: Study, @Ctx() ctx: ModelsContext): Promise<ModelVersion | null> {
    return study.modelVersionId ? ctx.em.findOne(ModelVersion, { id: study.modelVersionId }) : null;
  }
}
