import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { JSONObjectScalar } from '../common/json.scalar';

@InputType()
export class CreateModelUploadInput {
  @Field(() => String, { defaultValue: 'MODEL_VERSION', description: 'What the upload is for (MODEL_VERSION)' })
  purpose!: string;
  @Field(() => String) filename!: string;
  @Field(() => String, { nullable: true }) contentType?: string | null;
  @Field(() => Number, { nullable: true, description: 'Expected size in bytes (lowers the ticket limit)' }) size?:
    number | null;
}

@ObjectType({ description: 'A short-lived signed URL to GET the artifact' })
export class DownloadTicket {
  @Field(() => String) url!: string;
  @Field(() => Date) expiresAt!: Date;
  @Field(() => String) sha256!: string;
  @Field(() => Number) size!: number;
}

@InputType()
export class CreateModelVersionInput {
  @Field(() => ID) modelId!: string;
  @Field(() => ID, { description: 'A finished upload of an ONNX file' }) uploadId!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
  @Field(() => JSONObjectScalar, { nullable: true, description: 'Numeric metrics, e.g. { "accuracy": 0.97 }' })
  metrics?: Record<string, unknown> | null;
  @Field(() => JSONObjectScalar, { nullable: true }) parameters?: Record<string, unknown> | null;
  @Field(() => ID, { nullable: true, description: 'Catalog dataset it was trained on' }) datasetId?: string | null;
}

@InputType()
export class ModelVersionRefInput {
  @Field(() => ID) modelId!: string;
  @Field(() => Int) version!: number;
}
