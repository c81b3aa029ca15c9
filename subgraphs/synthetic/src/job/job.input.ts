import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';
import { Synthesizer, SyntheticColumnHandling } from './job.enums';

@InputType({
  description:
    'Numeric bounds (min/max; datetimes in epoch milliseconds) or allowed values of a categorical/boolean column.',
})
export class SyntheticConstraintInput {
  @Field(() => String) column!: string;
  @Field(() => Float, { nullable: true }) min?: number | null;
  @Field(() => Float, { nullable: true }) max?: number | null;
  @Field(() => [String], { nullable: true }) allowedValues?: string[] | null;
}

@InputType()
export class SyntheticColumnHandlingInput {
  @Field(() => String) column!: string;
  @Field(() => SyntheticColumnHandling) handling!: SyntheticColumnHandling;
}

@InputType({ description: 'An inline schema for schema-driven synthesis without a registered SchemaVersion.' })
export class SyntheticInlineSchemaInput {
  @Field(() => String, { description: 'JSON (JSON Schema) or AVRO.' }) type!: string;
  @Field(() => JSONScalar) schema!: unknown;
}

@InputType({ description: 'Exactly one of sourceDatasetId, schemaVersionId or inlineSchema.' })
export class CreateSyntheticDataJobInput {
  @Field(() => ID, {
    nullable: true,
    description: 'Catalog dataset to learn from; the caller must be able to read it.',
  })
  sourceDatasetId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Registered JSON Schema or Avro schema to generate records from.' })
  schemaVersionId?: string | null;

  @Field(() => SyntheticInlineSchemaInput, { nullable: true })
  inlineSchema?: SyntheticInlineSchemaInput | null;

  @Field(() => Synthesizer, { nullable: true, defaultValue: Synthesizer.GAUSSIAN_COPULA })
  synthesizer?: Synthesizer;

  @Field(() => Int)
  rows!: number;

  @Field(() => Int, { nullable: true, description: 'Random seed; drawn when omitted (and recorded on the job).' })
  seed?: number | null;

  @Field(() => Float, { nullable: true }) epsilon?: number | null;
  @Field(() => Float, { nullable: true }) delta?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Share of source rows (0–0.5) held out to measure DCR overfitting protection.',
  })
  holdoutFraction?: number | null;

  @Field(() => [SyntheticConstraintInput], { nullable: true }) constraints?: SyntheticConstraintInput[] | null;
  @Field(() => [SyntheticColumnHandlingInput], { nullable: true }) columns?: SyntheticColumnHandlingInput[] | null;
  @Field(() => String, { nullable: true, description: 'Name of the output dataset.' }) outputName?: string | null;
}
