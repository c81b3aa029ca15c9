import { Field, ID, InputType, Int } from 'type-graphql';
import { Classification, DatasetFormat } from './dataset.enums';

@InputType()
export class ColumnClassificationInput {
  @Field(() => String) name!: string;
  @Field(() => Classification) classification!: Classification;
  @Field(() => String, { nullable: true }) description?: string | null;
}

@InputType()
export class CreateDatasetInput {
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => DatasetFormat) format!: DatasetFormat;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
  @Field(() => Classification, { nullable: true, defaultValue: Classification.INTERNAL })
  classification?: Classification;
  @Field(() => [ColumnClassificationInput], { nullable: true }) columns?: ColumnClassificationInput[] | null;
  @Field(() => ID, { nullable: true, description: 'A SchemaVersion of the schemas subgraph describing the rows.' })
  schemaVersionId?: string | null;
}

@InputType()
export class UpdateDatasetInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
  @Field(() => Classification, { nullable: true }) classification?: Classification | null;
  @Field(() => [ColumnClassificationInput], { nullable: true }) columns?: ColumnClassificationInput[] | null;
  @Field(() => ID, { nullable: true }) schemaVersionId?: string | null;
}

@InputType()
export class CreateDatasetUploadInput {
  @Field(() => String, { description: 'DATASET_CONTENT.' }) purpose!: string;
  @Field(() => String) filename!: string;
  @Field(() => String, { nullable: true }) contentType?: string | null;
  @Field(() => Int, { nullable: true }) size?: number | null;
}

@InputType()
export class DatasetFilterInput {
  @Field(() => [String], { nullable: true, description: 'Every tag must be present.' }) tags?: string[] | null;
  @Field(() => [Classification], { nullable: true }) classification?: Classification[] | null;
  @Field(() => ID, { nullable: true }) ownerId?: string | null;
  @Field(() => DatasetFormat, { nullable: true }) format?: DatasetFormat | null;
}

@InputType()
export class RetentionPolicyInput {
  @Field(() => Int, { nullable: true, description: 'Keep this many latest content versions.' }) keepLast?:
    number | null;
  @Field(() => Int, { nullable: true, description: 'Delete contents older than this many days (never the latest).' })
  maxAgeDays?: number | null;
}
