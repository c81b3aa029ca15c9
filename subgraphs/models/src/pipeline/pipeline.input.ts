import { Field, Float, ID, InputType } from 'type-graphql';
import { StartStudyInput } from '../study/study.input';
import { StartTrainingJobInput } from '../training/training-job.input';

@InputType('PipelineQualityRuleInput', {
  description:
    'tableRowCountToBeBetween (min, max), columnToExist, columnValuesToBeNotNull, columnValuesToBeBetween (min, max), columnValuesToBeUnique',
})
export class QualityRuleInput {
  @Field(() => String) type!: string;
  @Field(() => String, { nullable: true }) column?: string | null;
  @Field(() => Float, { nullable: true }) min?: number | null;
  @Field(() => Float, { nullable: true }) max?: number | null;
}

@InputType()
export class EvaluationInput {
  @Field(() => String, { description: 'Compare with the version behind this alias (champion, production, ...)' })
  alias!: string;
  @Field(() => String, { description: 'accuracy, f1Macro, rocAuc, logLoss, rmse, mae or r2' }) metric!: string;
  @Field(() => Float, { defaultValue: 0, description: 'The candidate must be better by more than this' })
  minImprovement!: number;
}

@InputType({ description: 'Exactly one of training or study' })
export class StartPipelineRunInput {
  @Field(() => String) name!: string;
  @Field(() => ID, {
    description:
      "Dataset the training or study uses; CHECK_QUALITY runs this dataset's own quality rules in the catalog (runQualityChecks)",
  })
  datasetId!: string;
  @Field(() => [QualityRuleInput], {
    defaultValue: [],
    description: "Extra rules for this run only, checked on the content after the dataset's own catalog rules",
  })
  qualityRules!: QualityRuleInput[];
  @Field(() => StartTrainingJobInput, { nullable: true }) training?: StartTrainingJobInput | null;
  @Field(() => StartStudyInput, { nullable: true }) study?: StartStudyInput | null;
  @Field(() => EvaluationInput) evaluation!: EvaluationInput;
  @Field(() => Boolean, {
    defaultValue: true,
    description: 'Move the evaluation alias to the candidate when it is better (needs models:promote)',
  })
  promote!: boolean;
}
