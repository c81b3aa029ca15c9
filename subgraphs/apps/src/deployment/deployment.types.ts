import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';
import { EndpointRef, ModelVersionRef } from '../shared/refs.type';
import { Deployment } from './deployment.entity';

export enum ScalingTargetKind {
  CPU = 'CPU',
  CONCURRENCY = 'CONCURRENCY',
}
registerEnumType(ScalingTargetKind, {
  name: 'ScalingTargetKind',
  description: 'CPU: average utilization in percent of the CPU request; CONCURRENCY: requests in flight per replica',
});

@ObjectType({ description: 'A model version an endpoint of the release routes to' })
export class ReleaseRoute {
  @Field(() => ModelVersionRef) modelVersion!: ModelVersionRef;
  @Field(() => Float) weight!: number;
}

@ObjectType({ description: 'An endpoint of a release and its share of the application traffic' })
export class ReleaseEndpoint {
  @Field(() => String) name!: string;
  @Field(() => Int, { description: 'Percent of the application traffic' }) weight!: number;
  @Field(() => [ReleaseRoute]) routes!: ReleaseRoute[];
  @Field(() => EndpointRef, { nullable: true, description: 'The inference endpoint, once created' })
  endpoint!: EndpointRef | null;
}

@ObjectType({ description: 'CPU and memory as Kubernetes quantities, GPUs as whole devices' })
export class DeploymentResources {
  @Field(() => String, { nullable: true }) cpuRequest!: string | null;
  @Field(() => String, { nullable: true }) cpuLimit!: string | null;
  @Field(() => String, { nullable: true }) memoryRequest!: string | null;
  @Field(() => String, { nullable: true }) memoryLimit!: string | null;
  @Field(() => Int) gpu!: number;
}

@ObjectType({ description: 'Autoscaling policy (Kubernetes HPA rules)' })
export class ScalingPolicy {
  @Field(() => Int) minReplicas!: number;
  @Field(() => Int) maxReplicas!: number;
  @Field(() => ScalingTargetKind) target!: ScalingTargetKind;
  @Field(() => Float) targetValue!: number;
  @Field(() => Float) tolerance!: number;
  @Field(() => Int) scaleUpStabilizationSeconds!: number;
  @Field(() => Int) scaleDownStabilizationSeconds!: number;
}

@ObjectType({ description: 'Why a deployment is not healthy: which endpoint, which version, which check' })
export class HealthDiagnostic {
  @Field(() => EndpointRef, { nullable: true }) endpoint!: EndpointRef | null;
  @Field(() => String) endpointName!: string;
  @Field(() => ModelVersionRef, { nullable: true }) modelVersion!: ModelVersionRef | null;
  @Field(() => String, { nullable: true }) version!: string | null;
  @Field(() => String, { description: 'REACHABILITY, READINESS, ERROR_RATE or LATENCY' }) check!: string;
  @Field(() => String, { description: 'WARNING or CRITICAL' }) severity!: string;
  @Field(() => Float, { nullable: true }) observed!: number | null;
  @Field(() => Float, { nullable: true }) threshold!: number | null;
  @Field(() => String) message!: string;
}

@ObjectType({ description: 'One autoscaler step with the inputs it used' })
export class ScalingDecisionRecord {
  @Field(() => Date) at!: Date;
  @Field(() => Int) currentReplicas!: number;
  @Field(() => Int, { description: 'What the metric alone asked for' }) metricReplicas!: number;
  @Field(() => Int) stabilizedReplicas!: number;
  @Field(() => Int) desiredReplicas!: number;
  @Field(() => String) reason!: string;
  @Field(() => String) message!: string;
  @Field(() => Float, { nullable: true }) observedValue!: number | null;
  @Field(() => JSONScalar) inputs!: unknown;
}

@ObjectType({ description: 'A past release of a deployment' })
export class ReleaseRecord {
  @Field(() => ID) id!: string;
  @Field(() => Int) revision!: number;
  @Field(() => [ReleaseEndpoint]) endpoints!: ReleaseEndpoint[];
  @Field(() => ID, { nullable: true }) configVersionId!: string | null;
  @Field(() => DeploymentResources) resources!: DeploymentResources;
  @Field(() => ScalingPolicy, { nullable: true }) scaling!: ScalingPolicy | null;
  @Field(() => Int) replicas!: number;
  @Field(() => Int, { nullable: true, description: 'The revision this release restored' }) rolledBackFrom!:
    number | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: 'The deployment after a rollout, or on a dry run what the driver would apply' })
export class DeployResult {
  @Field(() => Deployment, { nullable: true, description: 'Null on a dry run' }) deployment!: Deployment | null;
  @Field(() => Boolean) dryRun!: boolean;
  @Field(() => [JSONScalar], {
    description:
      'kubernetes: Deployment, Service, HorizontalPodAutoscaler, VirtualService objects; local: the inference endpoint changes',
  })
  objects!: unknown[];
}
