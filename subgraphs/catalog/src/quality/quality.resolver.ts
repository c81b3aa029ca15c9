import { Arg, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, Resolver, Root } from 'type-graphql';
import { BadUserInputError, NotFoundError, requireViewer } from '../../../../lib/src/index';
import type { CatalogContext } from '../context';
import { Dataset } from '../dataset/dataset.entity';
import { AccessLevel } from '../dataset/dataset.enums';
import { requireDataset } from '../governance/access.service';
import { QualityCheck } from './quality-check.entity';
import { QualityRule } from './quality-rule.entity';
import type { QualityRuleType } from './quality-rule.types';
import { QualityRuleError } from './quality-rule.types';
import { validateQualityRule } from './quality-rule.validator';
import { runQualityChecks } from './quality.service';

@InputType()
export class QualityRuleInput {
  @Field(() => String, { description: 'columnValuesToBeNotNull, columnValuesToBeUnique, columnValuesToBeBetween, columnValuesToMatchRegex, tableRowCountToBeBetween or tableDataToBeFresh.' })
  type!: string;
  @Field(() => String, { nullable: true }) column?: string | null;
  @Field(() => Float, { nullable: true }) minValue?: number | null;
  @Field(() => Float, { nullable: true }) maxValue?: number | null;
  @Field(() => String, { nullable: true }) regex?: string | null;
  @Field(() => Float, { nullable: true }) maxAgeSeconds?: number | null;
}

@Resolver(() => Dataset)
export class QualityResolver {
  @Mutation(() => QualityRule, { description: 'Adds a rule (OpenMetadata test definition) to a dataset; needs WRITE.' })
  async createQualityRule(@Arg('datasetId', () => ID) datasetId: string, @Arg('input', () => QualityRuleInput) input: QualityRuleInput, @Ctx() ctx: CatalogContext): Promise<QualityRule> {
    const { dataset } = await requireDataset(ctx.em, requireViewer(ctx.viewer), datasetId, AccessLevel.WRITE);
    const definition = { ...input, type: input.type as QualityRuleType };
    try {
      validateQualityRule(definition);
    } catch (err) {
      if (err instanceof QualityRuleError) throw new BadUserInputError(err.message, [{ field: err.field, message: err.message }]);
      throw err;
    }
    const rule = ctx.em.create(QualityRule, { ...definition, organizationId: dataset.organizationId, datasetId: dataset.id });
    await ctx.em.flush();
    return rule;
  }

  @Mutation(() => Boolean)
  async deleteQualityRule(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext): Promise<boolean> {
    const viewer = requireViewer(ctx.viewer);
    const rule = await ctx.em.findOne(QualityRule, { id, organizationId: viewer.organizationId });
    if (!rule) throw new NotFoundError('QualityRule', id);
    await requireDataset(ctx.em, viewer, rule.datasetId, AccessLevel.WRITE);
    ctx.em.remove(rule);
    await ctx.em.flush();
    return true;
  }

  @Mutation(() => QualityCheck, { nullable: true, description: 'Runs the rules on the latest content now; null when the dataset has no rules.' })
  async runQualityChecks(@Arg('datasetId', () => ID) datasetId: string, @Ctx() ctx: CatalogContext): Promise<QualityCheck | null> {
    const { dataset } = await requireDataset(ctx.em, requireViewer(ctx.viewer), datasetId, AccessLevel.READ);
    return runQualityChecks(ctx.em, ctx.catalog.store, dataset, 'MANUAL');
  }

  @FieldResolver(() => [QualityRule])
  qualityRules(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<QualityRule[]> {
    return ctx.em.find(QualityRule, { datasetId: dataset.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  @FieldResolver(() => [QualityCheck], { description: 'Quality check history, newest first.' })
  qualityChecks(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext, @Arg('first', () => Int, { defaultValue: 20 }) first: number = 20): Promise<QualityCheck[]> {
    return ctx.em.find(QualityCheck, { datasetId: dataset.id }, { orderBy: { ranAt: 'desc', id: 'asc' }, limit: Math.max(1, Math.min(first, 200)) });
  }
}
