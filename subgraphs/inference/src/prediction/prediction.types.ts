import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';
import { ModelVersionRef } from '../common/refs.type';

export enum TensorDatatype {
  BOOL = 'BOOL',
  UINT8 = 'UINT8',
  UINT16 = 'UINT16',
  UINT32 = 'UINT32',
  UINT64 = 'UINT64',
  INT8 = 'INT8',
  INT16 = 'INT16',
  INT32 = 'INT32',
  INT64 = 'INT64',
  FP16 = 'FP16',
  FP32 = 'FP32',
  FP64 = 'FP64',
  BYTES = 'BYTES',
}
registerEnumType(TensorDatatype, { name: 'TensorDatatype', description: 'Open Inference Protocol v2 datatypes' });

@InputType({
  description: 'An input tensor: JSON data (flat or nested, row-major) or base64 rawData (little-endian, row-major)',
})
export class TensorInput {
  @Field(() => String) name!: string;
  @Field(() => TensorDatatype) datatype!: TensorDatatype;
  @Field(() => [Int]) shape!: number[];
  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Elements; 64-bit integers beyond 2^53 as strings; NaN/Infinity as strings',
  })
  data?: unknown;
  @Field(() => String, {
    nullable: true,
    description: 'base64 of the raw little-endian bytes (BYTES: 4-byte length before each element)',
  })
  rawData?: string;
}

@InputType()
export class PredictParameters {
  @Field(() => Boolean, { nullable: true, description: 'Answer outputs as base64 rawData instead of JSON data' })
  rawOutputs?: boolean;
  @Field(() => [String], { nullable: true, description: 'Only these outputs (default: all)' }) outputs?: string[];
}

@InputType()
export class PredictInput {
  @Field(() => String, { description: 'Endpoint id or name' }) endpoint!: string;
  @Field(() => [TensorInput]) inputs!: TensorInput[];
  @Field(() => String, {
    nullable: true,
    description: 'Sticky routing: the same key reaches the same version while routes stay',
  })
  routingKey?: string;
  @Field(() => String, {
    nullable: true,
    description:
      'Pins a model version the endpoint serves (a route or its shadow), bypassing routing, as Open Inference Protocol /versions/{v}/infer does; NOT_FOUND for any other version',
  })
  modelVersion?: string;
  @Field(() => PredictParameters, { nullable: true }) parameters?: PredictParameters;
}

@ObjectType({ description: 'An output tensor' })
export class Tensor {
  @Field(() => String) name!: string;
  @Field(() => TensorDatatype) datatype!: TensorDatatype;
  @Field(() => [Int]) shape!: number[];
  @Field(() => JSONScalar, { nullable: true }) data?: unknown;
  @Field(() => String, { nullable: true }) rawData?: string;
}

@ObjectType({ description: 'The answer of one prediction' })
export class Prediction {
  @Field(() => ID) id!: string;
  @Field(() => ID) endpointId!: string;
  @Field(() => ModelVersionRef, { description: 'The version that answered' }) modelVersion!: ModelVersionRef;
  @Field(() => [Tensor]) outputs!: Tensor[];
  @Field(() => Float, { description: 'Time inside the service: validation, queueing and onnxruntime' })
  latencyMs!: number;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: 'A prediction made on an endpoint, as its stream delivers it' })
export class PredictionEvent {
  @Field(() => ID) endpointId!: string;
  @Field(() => ModelVersionRef) modelVersion!: ModelVersionRef;
  @Field(() => Float) latencyMs!: number;
  @Field(() => String, { nullable: true }) routingKey?: string | null;
  @Field(() => Date) at!: Date;
  @Field(() => [Tensor], {
    nullable: true,
    description: 'Only when asked for (includeOutputs) and not larger than the stream limit',
  })
  outputs?: Tensor[] | null;
  @Field(() => Boolean, { description: 'True when the outputs were too large for the stream' })
  outputsOmitted!: boolean;
}
