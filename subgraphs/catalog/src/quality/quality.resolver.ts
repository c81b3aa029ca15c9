import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogContext } from '../context';
import { Dataset } from '../dataset/dataset.entity';
import { QualityCheck } from './quality-check.entity';
import { QualityRuleInput } from './quality.input';
import { QualityRule } from './quality-rule.entity';

@Resolver(() => Dataset)
export class QualityResolver {
  @Mutation(() => QualityRule, { description: 'Adds a rule (OpenMetadata test definition) to a dataset; needs WRITE.' })
  createQualityRule(
    @Arg('datasetId', () => ID) datasetId: string,
    @Arg('input', () => QualityRuleInput) input: QualityRuleInput,
    @Ctx() ctx: CatalogContext,
  ): Promise<QualityRule> {
    return ctx.services.quality.createRule(requestScope(ctx), datasetId, input);
  }

  @Mutation(() => Boolean)
  deleteQualityRule(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext): Promise<boolean> {
    return ctx.services.quality.deleteRule(requestScope(ctx), id);
  }

  @Mutation(() => QualityCheck, {
    nullable: true,
    description: 'Runs the rules on the latest content now; null when the dataset has no rules.',
  })
  runQualityChecks(
    @Arg('datasetId', () => ID) datasetId: string,
    @Ctx() ctx: CatalogContext,
  ): Promise<QualityCheck | null> {
    return ctx.services.quality.runNow(requestScope(ctx), datasetId);
  }

  @FieldResolver(() => [QualityRule])
  qualityRules(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<QualityRule[]> {
    return ctx.services.quality.rulesOf(requestScope(ctx), dataset);
  }

  @FieldResolver(() => [QualityCheck], { description: 'Quality check history, newest first.' })
  qualityChecks(
    @Root() dataset: Dataset,
    @Ctx() ctx: CatalogContext,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number = 20,
  ): Promise<QualityCheck[]> {
    return ctx.services.quality.checksOf(requestScope(ctx), dataset, first);
  }
}
