import { Field, Int, ObjectType } from 'type-graphql';

/** One dimension: a fixed size, a symbolic name (dynamic), or neither (unknown). */
@ObjectType({
  description:
    'A tensor dimension: `size` when fixed, `symbol` when dynamic (e.g. a batch dimension), both null when unknown',
})
export class TensorDimension {
  @Field(() => Int, { nullable: true }) size?: number | null;
  @Field(() => String, { nullable: true }) symbol?: string | null;
}

@ObjectType({ description: 'A graph input or output of an ONNX model' })
export class TensorSpec {
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'ONNX element type: FLOAT, DOUBLE, INT64, ... (SEQUENCE, MAP for non-tensors)' })
  elementType!: string;
  @Field(() => [TensorDimension], { nullable: true, description: 'null when the rank is unknown' }) shape?:
    TensorDimension[] | null;
}

@ObjectType({ description: 'What the ONNX file declares: inputs, outputs, IR version and opsets' })
export class ModelSignature {
  @Field(() => [TensorSpec]) inputs!: TensorSpec[];
  @Field(() => [TensorSpec]) outputs!: TensorSpec[];
  @Field(() => Int) irVersion!: number;
  @Field(() => [Opset]) opsets!: Opset[];
  @Field(() => String) producerName!: string;
}

@ObjectType()
export class Opset {
  @Field(() => String) domain!: string;
  @Field(() => Int) version!: number;
}

@ObjectType({ description: 'The stored file of a version (content-addressed)' })
export class ModelArtifact {
  @Field(() => String) sha256!: string;
  @Field(() => Number, { description: 'Bytes (Float: files may exceed 2^31)' }) size!: number;
  @Field(() => String) format!: string;
}
