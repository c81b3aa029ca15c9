import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { ModelVersionRef } from '../common/refs.type';

@ObjectType({ description: 'One version of an A/B comparison, against the baseline (the first route)' })
export class VersionComparisonRow {
  @Field(() => ModelVersionRef) modelVersion!: ModelVersionRef;
  @Field(() => String, { description: 'route or shadow' }) role!: string;
  @Field(() => Float, { nullable: true }) weight?: number | null;
  @Field(() => Int) requests!: number;
  @Field(() => Int) errors!: number;
  @Field(() => Float, { nullable: true }) errorRate?: number | null;
  @Field(() => Float, { nullable: true }) latencyP50Ms?: number | null;
  @Field(() => Float, { nullable: true }) latencyP95Ms?: number | null;
  @Field(() => Float, { nullable: true }) latencyP99Ms?: number | null;
  @Field(() => Float, { nullable: true, description: 'p50 minus the baseline p50' }) latencyP50DeltaMs?: number | null;
  @Field(() => Float, { nullable: true }) errorRateDelta?: number | null;
  @Field(() => Float, { nullable: true, description: 'Two-proportion z-test p-value (two-sided)' }) errorRatePValue?:
    number | null;
  @Field(() => Float, { nullable: true, description: 'Mann-Whitney U p-value on latencies (two-sided)' })
  latencyPValue?: number | null;
}

@ObjectType({ description: 'The versions of an endpoint compared over a time window' })
export class VersionComparison {
  @Field(() => ID) endpointId!: string;
  @Field(() => Float) windowSeconds!: number;
  @Field(() => ModelVersionRef) baseline!: ModelVersionRef;
  @Field(() => [VersionComparisonRow]) versions!: VersionComparisonRow[];
}
