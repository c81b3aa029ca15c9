import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { ActivationFunction, OptimizerKind, TrainingAlgorithm } from '../common/enums';

@InputType({
  description:
    'Hyperparameters; unset values take the algorithm defaults (hidden [32], RELU, ADAM, learning rate 0.01, 100 epochs, batch 32, seed 0)',
})
export class HyperparametersInput {
  @Field(() => [Int], { nullable: true, description: 'Units per hidden layer (MLP only)' }) hiddenLayers?:
    number[] | null;
  @Field(() => ActivationFunction, { nullable: true }) activation?: ActivationFunction | null;
  @Field(() => OptimizerKind, { nullable: true }) optimizer?: OptimizerKind | null;
  @Field(() => Float, { nullable: true }) learningRate?: number | null;
  @Field(() => Int, { nullable: true }) epochs?: number | null;
  @Field(() => Int, { nullable: true }) batchSize?: number | null;
  @Field(() => Float, { nullable: true, description: 'L2 penalty λ (mean loss + λ/2‖W‖²)' }) l2?: number | null;
  @Field(() => Int, { nullable: true }) seed?: number | null;
}

@InputType({ description: 'Resources a job asks for (recorded for scheduling; the embedded pool runs on CPU)' })
export class ResourceRequestInput {
  @Field(() => Float, { defaultValue: 1 }) cpu!: number;
  @Field(() => Int, { defaultValue: 0 }) gpu!: number;
  @Field(() => Int, { nullable: true }) memoryMb?: number | null;
}

@InputType()
export class StartTrainingJobInput {
  @Field(() => String, { description: 'Model to register the result under (created when missing)' }) modelName!: string;
  @Field(() => ID, { description: 'Catalog dataset (CSV or JSONL content)' }) datasetId!: string;
  @Field(() => [String]) featureColumns!: string[];
  @Field(() => String) targetColumn!: string;
  @Field(() => TrainingAlgorithm) algorithm!: TrainingAlgorithm;
  @Field(() => HyperparametersInput, { nullable: true }) hyperparameters?: HyperparametersInput | null;
  @Field(() => Float, { defaultValue: 0.2 }) validationFraction!: number;
  @Field(() => ResourceRequestInput, { nullable: true }) resources?: ResourceRequestInput | null;
  @Field(() => String, { nullable: true, description: 'Description of the registered version' }) description?:
    string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
}
