import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { DriverKind } from './deployment.model';
import { ScalingTargetKind } from './deployment.types';
import './deployment-enums.type';

@InputType()
export class ReleaseRouteInput {
  @Field(() => ID) modelVersion!: string;
  @Field(() => Float, { description: 'Relative weight inside the endpoint' }) weight!: number;
}

@InputType()
export class ReleaseEndpointInput {
  @Field(() => String, { description: 'Unique within the release; part of the inference endpoint name' }) name!: string;
  @Field(() => Int, { description: 'Percent of the application traffic; all endpoints sum to 100' }) weight!: number;
  @Field(() => [ReleaseRouteInput]) routes!: ReleaseRouteInput[];
}

@InputType({ description: 'Kubernetes quantities (500m, 2, 512Mi, 4Gi); GPUs as a whole number of devices' })
export class ResourcesInput {
  @Field(() => String, { nullable: true }) cpuRequest?: string;
  @Field(() => String, { nullable: true }) cpuLimit?: string;
  @Field(() => String, { nullable: true }) memoryRequest?: string;
  @Field(() => String, { nullable: true }) memoryLimit?: string;
  // Float on purpose: a fractional GPU count reaches the validation and is refused with field details.
  @Field(() => Float, { nullable: true, description: 'nvidia.com/gpu per replica (whole number)' }) gpu?: number;
}

@InputType()
export class ScalingPolicyInput {
  @Field(() => Int) minReplicas!: number;
  @Field(() => Int) maxReplicas!: number;
  @Field(() => ScalingTargetKind) target!: ScalingTargetKind;
  @Field(() => Float, { description: 'CPU: percent of the request; CONCURRENCY: requests in flight per replica' })
  targetValue!: number;
  @Field(() => Float, { nullable: true, description: 'Default 0.1 (10%)' }) tolerance?: number;
  @Field(() => Int, { nullable: true, description: 'Default 0' }) scaleUpStabilizationSeconds?: number;
  @Field(() => Int, { nullable: true, description: 'Default 300' }) scaleDownStabilizationSeconds?: number;
}

@InputType()
export class HealthThresholdsInput {
  @Field(() => Float, { nullable: true, description: 'Default 0.05' }) maxErrorRate?: number;
  @Field(() => Float, { nullable: true, description: 'Default 0.5' }) criticalErrorRate?: number;
  @Field(() => Float, { nullable: true, description: 'Default 1000' }) maxLatencyP95Ms?: number;
  @Field(() => Int, { nullable: true, description: 'Default 20' }) minRequests?: number;
}

@InputType()
export class DeployInput {
  @Field(() => ID) applicationId!: string;
  @Field(() => String) environment!: string;
  @Field(() => [ReleaseEndpointInput]) endpoints!: ReleaseEndpointInput[];
  @Field(() => ID, { nullable: true }) configVersionId?: string;
  @Field(() => ResourcesInput, { nullable: true }) resources?: ResourcesInput;
  @Field(() => ScalingPolicyInput, { nullable: true, description: 'Without a policy the replica count is fixed' })
  scaling?: ScalingPolicyInput;
  @Field(() => Int, { nullable: true, description: 'Replicas when no scaling policy is given; default 1' })
  replicas?: number;
  @Field(() => DriverKind, { nullable: true, description: 'Default LOCAL; fixed for the life of the deployment' })
  driver?: DriverKind;
  @Field(() => HealthThresholdsInput, { nullable: true }) healthThresholds?: HealthThresholdsInput;
  @Field(() => Boolean, { nullable: true, description: 'Return what the driver would apply, change nothing' })
  dryRun?: boolean;
}
