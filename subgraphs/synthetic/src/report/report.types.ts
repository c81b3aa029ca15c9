import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'Column Shapes detail: KSComplement (numerical, datetime) or TVComplement (categorical, boolean).',
})
export class SyntheticColumnShape {
  @Field(() => String) column!: string;
  @Field(() => String) metric!: string;
  @Field(() => Float, { nullable: true }) score!: number | null;
}

@ObjectType({
  description: 'Column Pair Trends detail: CorrelationSimilarity (both continuous) or ContingencySimilarity.',
})
export class SyntheticColumnPair {
  @Field(() => String) column1!: string;
  @Field(() => String) column2!: string;
  @Field(() => String) metric!: string;
  @Field(() => Float, { nullable: true }) score!: number | null;
  @Field(() => Float, { nullable: true }) realCorrelation!: number | null;
  @Field(() => Float, { nullable: true }) syntheticCorrelation!: number | null;
  @Field(() => Float, { nullable: true }) realAssociation!: number | null;
  @Field(() => Boolean, { description: 'Whether the pair counts towards the score under the thresholds.' })
  meetsThreshold!: boolean;
}

@ObjectType({
  description: "Quality with SDMetrics' definitions; overall = mean of Column Shapes and Column Pair Trends.",
})
export class SyntheticQualityReport {
  @Field(() => Float, { nullable: true }) overall!: number | null;
  @Field(() => Float, { nullable: true }) columnShapes!: number | null;
  @Field(() => Float, { nullable: true }) columnPairTrends!: number | null;
  @Field(() => Float) realCorrelationThreshold!: number;
  @Field(() => Float) realAssociationThreshold!: number;
  @Field(() => [SyntheticColumnShape]) columns!: SyntheticColumnShape[];
  @Field(() => [SyntheticColumnPair]) pairs!: SyntheticColumnPair[];
}

@ObjectType({ description: 'Privacy: copies of real rows and distance to closest record (SDMetrics DCR metrics).' })
export class SyntheticPrivacyReport {
  @Field(() => Int, { description: 'Synthetic rows equal to a source row on every column.' }) exactMatchCount!: number;
  @Field(() => Int, { description: 'Synthetic rows equal to a source row on every modelled (non-PII) column.' })
  exactMatchCountModelled!: number;
  @Field(() => Int, { description: 'Rows redrawn because they reproduced a source row.' }) redrawnRows!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'DCRBaselineProtection score (null when random data is at distance 0).',
  })
  dcrBaselineProtection!: number | null;
  @Field(() => Float) medianDcrSynthetic!: number;
  @Field(() => Float) medianDcrRandom!: number;
  @Field(() => Float, { nullable: true, description: 'DCROverfittingProtection score, when a holdout was kept.' })
  dcrOverfittingProtection!: number | null;
  @Field(() => Float, { nullable: true }) closerToTraining!: number | null;
  @Field(() => [String], { description: 'Columns filled with fake values, never sampled from the source.' })
  piiColumns!: string[];
  @Field(() => [String], {
    nullable: true,
    description:
      'PII columns the job could not read (its user lacks catalog:read-pii): faked from the column name alone, so not checked against source values. Null in reports made before this was recorded.',
  })
  piiColumnsNotRead?: string[] | null;
}

@ObjectType({ description: 'How the differential privacy budget was spent.' })
export class SyntheticDifferentialPrivacy {
  @Field(() => Float) epsilon!: number;
  @Field(() => Float) delta!: number;
  @Field(() => String) mechanism!: string;
  @Field(() => Float) marginalEpsilonPerColumn!: number;
  @Field(() => Float) correlationEpsilon!: number;
  @Field(() => Float) correlationDelta!: number;
  @Field(() => Float) correlationNoiseSigma!: number;
  @Field(() => [String], {
    description: 'Numeric columns whose histogram range came from the data (give bounds constraints to avoid this).',
  })
  boundsFromData!: string[];
}

@ObjectType({ description: 'Compliance summary: what was used, who ran it, how PII and privacy were handled.' })
export class SyntheticComplianceReport {
  @Field(() => String, { nullable: true }) sourceDatasetId!: string | null;
  @Field(() => Int, { nullable: true }) sourceVersion!: number | null;
  @Field(() => String, { nullable: true }) sourceSha256!: string | null;
  @Field(() => String, { nullable: true }) schemaVersionId!: string | null;
  @Field(() => String) synthesizer!: string;
  @Field(() => Int) seed!: number;
  @Field(() => String) ranBy!: string;
  @Field(() => String) ranAt!: string;
  @Field(() => [String]) piiColumns!: string[];
  @Field(() => String, { description: 'How PII columns were produced.' }) piiHandling!: string;
  @Field(() => [String]) droppedColumns!: string[];
  @Field(() => Int) trainingRows!: number;
  @Field(() => Int) holdoutRows!: number;
  @Field(() => SyntheticDifferentialPrivacy, { nullable: true })
  differentialPrivacy!: SyntheticDifferentialPrivacy | null;
}
