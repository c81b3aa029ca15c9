import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { JSONScalar } from '../common/json.scalar';
import {
  OptimizationDirection,
  PrunerKind,
  SamplerKind,
  SearchParameterType,
  TrainingAlgorithm,
} from '../common/enums';
import { HyperparametersInput, ResourceRequestInput } from '../training/training-job.input';

@InputType({
  description:
    'One searched hyperparameter: learningRate, l2 (FLOAT); epochs, batchSize, hiddenUnits, hiddenLayerCount (INT); activation, optimizer (CATEGORICAL)',
})
export class SearchParameterInput {
  @Field(() => String) name!: string;
  @Field(() => SearchParameterType) type!: SearchParameterType;
  @Field(() => Float, { nullable: true }) low?: number | null;
  @Field(() => Float, { nullable: true }) high?: number | null;
  @Field(() => Boolean, { defaultValue: false, description: 'Sample on a log scale' }) log!: boolean;
  @Field(() => Float, { nullable: true }) step?: number | null;
  @Field(() => [JSONScalar], { nullable: true, description: 'CATEGORICAL choices' }) choices?:
    (string | number | boolean)[] | null;
}

@InputType()
export class StartStudyInput {
  @Field(() => String, { description: 'The best trial is registered under this model (created when missing)' })
  modelName!: string;
  @Field(() => ID) datasetId!: string;
  @Field(() => [String]) featureColumns!: string[];
  @Field(() => String) targetColumn!: string;
  @Field(() => TrainingAlgorithm) algorithm!: TrainingAlgorithm;
  @Field(() => HyperparametersInput, { nullable: true, description: 'Values of the hyperparameters not searched' })
  baseHyperparameters?: HyperparametersInput | null;
  @Field(() => Float, { defaultValue: 0.2 }) validationFraction!: number;
  @Field(() => [SearchParameterInput]) searchSpace!: SearchParameterInput[];
  @Field(() => SamplerKind, { defaultValue: SamplerKind.TPE }) sampler!: SamplerKind;
  @Field(() => Int, { defaultValue: 0 }) samplerSeed!: number;
  @Field(() => Int, { defaultValue: 5, description: 'GRID: values per continuous parameter' }) gridPoints!: number;
  @Field(() => PrunerKind, { defaultValue: PrunerKind.MEDIAN }) pruner!: PrunerKind;
  @Field(() => Int, { defaultValue: 5 }) prunerStartupTrials!: number;
  @Field(() => Int, { defaultValue: 0 }) prunerWarmupSteps!: number;
  @Field(() => String, { defaultValue: 'validationLoss' }) objectiveMetric!: string;
  @Field(() => OptimizationDirection, {
    nullable: true,
    description: 'Default: MINIMIZE for losses and errors, MAXIMIZE otherwise',
  })
  direction?: OptimizationDirection | null;
  @Field(() => Int, { defaultValue: 20 }) nTrials!: number;
  @Field(() => Int, { defaultValue: 2 }) parallelism!: number;
  @Field(() => ResourceRequestInput, { nullable: true }) resources?: ResourceRequestInput | null;
}
