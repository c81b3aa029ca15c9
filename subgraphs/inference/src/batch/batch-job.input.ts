import { Field, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'Dataset columns whose values, in order, form one row of a model input' })
export class ColumnMappingInput {
  @Field(() => String) input!: string;
  @Field(() => [String]) columns!: string[];
}

@InputType()
export class StartBatchInferenceInput {
  @Field(() => String, { description: 'Endpoint id or name' }) endpoint!: string;
  @Field(() => ID, { description: 'Catalog dataset to read' }) dataset!: string;
  @Field(() => [ColumnMappingInput]) mapping!: ColumnMappingInput[];
  @Field(() => [String], { nullable: true, description: 'Dataset columns copied into the predictions (an id, say)' })
  passthroughColumns?: string[];
  @Field(() => String) outputDatasetName!: string;
  @Field(() => Int, {
    nullable: true,
    description: 'Rows per request (default 64; a model with a fixed batch size uses it)',
  })
  chunkSize?: number;
}
