import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Classification, PiiReviewDecision } from './dataset.enums';

/** A column as stored on the dataset (its classification is governance, its statistics come from profiles). */
export interface StoredColumn {
  name: string;
  type: string;
  classification: Classification;
  /** Set when the classification came from PII detection rather than a person. */
  detectedPii?: string | null;
  /** How sure the detection was (0..1), and why. */
  piiConfidence?: number | null;
  piiReason?: string | null;
  /** A data steward confirmed or dismissed the detection (the classification follows it). */
  piiReview?: PiiReviewDecision | null;
  description?: string | null;
  /** A person set the classification: detection never overrides it. */
  manual?: boolean;
}

@ObjectType('ColumnTopValue')
export class TopValue {
  @Field(() => String) value!: string;
  @Field(() => Int) count!: number;
}

@ObjectType('ColumnHistogramBin')
export class HistogramBin {
  @Field(() => Float) lower!: number;
  @Field(() => Float) upper!: number;
  @Field(() => Int) count!: number;
}

@ObjectType('ColumnProfile', {
  description: 'Statistics of one column in one content version; stddev is the sample standard deviation.',
})
export class ColumnProfileType {
  @Field(() => String) name!: string;
  @Field(() => String) type!: string;
  @Field(() => Int) nonNullCount!: number;
  @Field(() => Int) nullCount!: number;
  @Field(() => Float) nullFraction!: number;
  @Field(() => Int) distinctCount!: number;
  @Field(() => Boolean) distinctExact!: boolean;
  @Field(() => Float, { nullable: true }) min!: number | null;
  @Field(() => Float, { nullable: true }) max!: number | null;
  @Field(() => Float, { nullable: true }) mean!: number | null;
  @Field(() => Float, { nullable: true }) stddev!: number | null;
  @Field(() => String, { nullable: true }) minValue!: string | null;
  @Field(() => String, { nullable: true }) maxValue!: string | null;
  @Field(() => Int, { nullable: true }) minLength!: number | null;
  @Field(() => Int, { nullable: true }) maxLength!: number | null;
  @Field(() => [TopValue]) topValues!: TopValue[];
  @Field(() => [HistogramBin]) histogram!: HistogramBin[];
}

@ObjectType('DatasetColumn')
export class DatasetColumn {
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'Inferred type: INTEGER, FLOAT, BOOLEAN, DATE, DATETIME, STRING or NULL.' })
  type!: string;
  @Field(() => Classification) classification!: Classification;
  @Field(() => String, { nullable: true, description: 'The kind of personal data detected in this column, if any.' })
  detectedPii!: string | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'How sure the PII detection is, 0..1: a column name alone is weak (0.3), values that pass validators (libphonenumber, Luhn, mod-97) are strong.',
  })
  confidence!: number | null;
  @Field(() => String, { nullable: true, description: 'Why the column was detected as personal data.' }) reason!:
    string | null;
  @Field(() => PiiReviewDecision, {
    nullable: true,
    description:
      'A data steward confirmed or dismissed the detection (reviewColumnPii); the classification follows it.',
  })
  piiReview!: PiiReviewDecision | null;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => ColumnProfileType, { nullable: true, description: 'Statistics from the latest content version.' })
  profile!: ColumnProfileType | null;
}
