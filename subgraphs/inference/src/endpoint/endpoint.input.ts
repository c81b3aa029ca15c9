import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { ExecutionProviderName } from './endpoint.types';

@InputType()
export class RouteInput {
  @Field(() => ID) modelVersion!: string;
  @Field(() => Float, { description: 'Relative weight (0 keeps the version loaded without traffic)' }) weight!: number;
}

@InputType()
export class BatchingInput {
  @Field(() => Int) maxBatchSize!: number;
  @Field(() => Float) maxQueueDelayMs!: number;
}

@InputType()
export class WarmupDimInput {
  @Field(() => String) name!: string;
  @Field(() => Int) size!: number;
}

@InputType()
export class CreateEndpointInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => [RouteInput]) routes!: RouteInput[];
  @Field(() => ID, {
    nullable: true,
    description: 'Version that gets a copy of the traffic; its answers are measured and discarded',
  })
  shadowModelVersion?: string;
  @Field(() => BatchingInput, { nullable: true, description: 'Default: batching off (maxBatchSize 1)' })
  batching?: BatchingInput;
  @Field(() => Int, {
    nullable: true,
    description: 'Concurrent session runs (batches, with batching on), 1 to 64; default 1',
  })
  replicas?: number;
  @Field(() => [ExecutionProviderName], { nullable: true, description: "Default: the service's providers" })
  executionProviders?: ExecutionProviderName[];
  @Field(() => [WarmupDimInput], {
    nullable: true,
    description: 'Sizes of named dynamic dimensions for the warm-up input (others take 1)',
  })
  warmupDims?: WarmupDimInput[];
}

@InputType()
export class UpdateEndpointInput {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => [RouteInput], { nullable: true }) routes?: RouteInput[];
  @Field(() => ID, { nullable: true, description: 'Set to change the shadow; see clearShadow' })
  shadowModelVersion?: string;
  @Field(() => Boolean, { nullable: true }) clearShadow?: boolean;
  @Field(() => BatchingInput, { nullable: true }) batching?: BatchingInput;
  @Field(() => Int, { nullable: true, description: 'Concurrent session runs (batches, with batching on), 1 to 64' })
  replicas?: number;
  @Field(() => [ExecutionProviderName], { nullable: true }) executionProviders?: ExecutionProviderName[];
  @Field(() => [WarmupDimInput], { nullable: true }) warmupDims?: WarmupDimInput[];
}
