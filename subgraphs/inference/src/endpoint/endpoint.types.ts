import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ModelVersionRef } from '../common/refs.type';

export enum ExecutionProviderName {
  CUDA = 'cuda',
  CPU = 'cpu',
}
registerEnumType(ExecutionProviderName, {
  name: 'ExecutionProvider',
  description: 'onnxruntime execution providers, in order of preference',
});

export enum EndpointStatus {
  LOADING = 'LOADING',
  READY = 'READY',
  DEGRADED = 'DEGRADED',
  FAILED = 'FAILED',
}
registerEnumType(EndpointStatus, {
  name: 'EndpointStatus',
  description:
    'READY: every routed version is loaded and warm; LOADING: some are still loading; DEGRADED: some are ready, others failed or were evicted; FAILED: none is ready',
});

export enum SessionStateName {
  LOADING = 'LOADING',
  READY = 'READY',
  FAILED = 'FAILED',
  EVICTED = 'EVICTED',
  ABSENT = 'ABSENT',
}
registerEnumType(SessionStateName, { name: 'SessionState' });

@ObjectType({ description: 'A model version an endpoint sends traffic to, with its relative weight' })
export class EndpointRoute {
  @Field(() => ModelVersionRef) modelVersion!: ModelVersionRef;
  @Field(() => Float) weight!: number;
  @Field(() => Float, { description: 'Share of traffic (weight / sum of weights)' }) share!: number;
}

@ObjectType({ description: 'Dynamic batching: concurrent requests join one onnxruntime run' })
export class BatchingSettings {
  @Field(() => Int, { description: 'Most rows per run; 1 turns batching off' }) maxBatchSize!: number;
  @Field(() => Float, {
    description:
      'How long a batch may wait for more requests (ms); with 0 a request runs at once when the model is idle and requests arriving while it is busy join the next run',
  })
  maxQueueDelayMs!: number;
}

@ObjectType({
  description:
    'Whether concurrent requests are really joined into one onnxruntime run (the batching setting, and the model allows it)',
})
export class EffectiveBatching {
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => String, {
    nullable: true,
    description:
      "Why requests are not joined: batching is off, the model's first input dimension is fixed, an output has no batch dimension, or the model is not loaded yet",
  })
  reason?: string | null;
}

@ObjectType({ description: 'Size used for a named dynamic dimension when warming a session up' })
export class WarmupDim {
  @Field(() => String) name!: string;
  @Field(() => Int) size!: number;
}

@ObjectType({ description: 'The session state of one model version of an endpoint' })
export class VersionReadiness {
  @Field(() => ModelVersionRef) modelVersion!: ModelVersionRef;
  @Field(() => String, { description: 'route or shadow' }) role!: string;
  @Field(() => SessionStateName) state!: SessionStateName;
  @Field(() => String, { nullable: true, description: 'Why it is not READY' }) reason?: string | null;
  @Field(() => ExecutionProviderName, { nullable: true }) provider?: ExecutionProviderName | null;
  @Field(() => String, { nullable: true, description: 'Why a preferred execution provider was not used' })
  providerNote?: string | null;
  @Field(() => Float, { nullable: true }) warmupMs?: number | null;
  @Field(() => Date, { nullable: true }) loadedAt?: Date | null;
  @Field(() => Boolean, {
    nullable: true,
    description:
      'True when the session runs on a thread of its own (a CPU model whose warm-up or real runs are long), so the event loop never waits for it',
  })
  ownThread?: boolean | null;
  @Field(() => Int, {
    nullable: true,
    description:
      "Threads per run when the service chose them (1 for a short-running model); null: onnxruntime's default or the configured count",
  })
  intraOpThreads?: number | null;
  @Field(() => EffectiveBatching, { description: "Whether the endpoint's requests to this version are joined" })
  effectiveBatching!: EffectiveBatching;
}

@ObjectType({ description: 'Requests, errors, latency and throughput of one model version over a window' })
export class VersionMetrics {
  @Field(() => ModelVersionRef) modelVersion!: ModelVersionRef;
  @Field(() => Int, { description: 'Since the service started' }) requests!: number;
  @Field(() => Int, { description: 'Since the service started' }) errors!: number;
  @Field(() => Int) windowRequests!: number;
  @Field(() => Int) windowErrors!: number;
  @Field(() => Float, { nullable: true }) latencyP50Ms?: number | null;
  @Field(() => Float, { nullable: true }) latencyP95Ms?: number | null;
  @Field(() => Float, { nullable: true }) latencyP99Ms?: number | null;
  @Field(() => Float, { nullable: true }) latencyMeanMs?: number | null;
  @Field(() => Float, { description: 'Requests per second over the window' }) throughput!: number;
  @Field(() => Float) windowMs!: number;
}

@ObjectType({ description: 'Live metrics of an endpoint' })
export class EndpointMetricsEvent {
  @Field(() => String) endpointId!: string;
  @Field(() => Date) at!: Date;
  @Field(() => [VersionMetrics]) versions!: VersionMetrics[];
}

@ObjectType({ description: "One model version's session state on one replica of the inference service" })
export class ReplicaVersionState {
  @Field(() => ModelVersionRef) modelVersion!: ModelVersionRef;
  @Field(() => String, { description: 'route or shadow' }) role!: string;
  @Field(() => SessionStateName) state!: SessionStateName;
  @Field(() => String, { nullable: true, description: 'Why it is not READY' }) reason?: string | null;
  @Field(() => ExecutionProviderName, { nullable: true }) provider?: ExecutionProviderName | null;
}

@ObjectType({
  description:
    "One replica of the inference service and the endpoint's state there (replicas whose heartbeat is older than the TTL are left out)",
})
export class EndpointReplica {
  @Field(() => String, { description: 'The replica (host and process)' }) replica!: string;
  @Field(() => Boolean, { description: 'True for the replica that answered this request' }) current!: boolean;
  @Field(() => EndpointStatus, { description: "The endpoint's status on this replica" }) status!: EndpointStatus;
  @Field(() => String, { nullable: true }) reason?: string | null;
  @Field(() => [ReplicaVersionState]) versions!: ReplicaVersionState[];
  @Field(() => Date, { description: 'When the replica last reported' }) heartbeatAt!: Date;
}
