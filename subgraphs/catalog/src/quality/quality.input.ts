import { Field, Float, InputType } from 'type-graphql';

@InputType()
export class QualityRuleInput {
  @Field(() => String, {
    description:
      'columnValuesToBeNotNull, columnValuesToBeUnique, columnValuesToBeBetween, columnValuesToMatchRegex, tableRowCountToBeBetween or tableDataToBeFresh.',
  })
  type!: string;
  @Field(() => String, { nullable: true }) column?: string | null;
  @Field(() => Float, { nullable: true }) minValue?: number | null;
  @Field(() => Float, { nullable: true }) maxValue?: number | null;
  @Field(() => String, { nullable: true }) regex?: string | null;
  @Field(() => Float, { nullable: true }) maxAgeSeconds?: number | null;
}
