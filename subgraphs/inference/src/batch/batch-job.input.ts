import { Field, Float, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { BatchInputKind } from './batch-job.entity';

registerEnumType(BatchInputKind, {
  name: 'BatchInputKind',
  description: 'How the mapped column(s) of a dataset row become one record of a model input',
  valuesConfig: {
    COLUMNS: { description: 'Each column is one number of a [batch, columns] input (table rows)' },
    TENSOR: { description: 'One column holds a tensor as JSON: {"shape": [...], "data": [...]} or a nested array' },
    NPY: {
      description:
        'One column holds a base64 .npy file (or a ZIP/TAR of them): an array of the input shape per record, or one more leading axis of records',
    },
    IMAGE: {
      description:
        'One column holds a base64 PNG or JPEG (or a ZIP/TAR of them): decoded, converted to the input channels, resized bilinearly to its height and width, scaled to [0, 1] (UINT8 inputs: 0-255), then normalised per channel when the mapping gives mean and std',
    },
    AUDIO: {
      description:
        'One column holds a base64 WAV (or a ZIP/TAR of WAVs): mixed to mono and resampled linearly to sampleRate',
    },
  },
});

@InputType({ description: 'Dataset columns whose values, in order, form one record of a model input' })
export class ColumnMappingInput {
  @Field(() => String) input!: string;
  @Field(() => [String]) columns!: string[];
  @Field(() => BatchInputKind, { nullable: true, description: 'What the columns hold (default COLUMNS)' })
  kind?: BatchInputKind | null;
  @Field(() => Int, { nullable: true, description: 'AUDIO: the sample rate the model takes, in Hz (default 16000)' })
  sampleRate?: number | null;
  @Field(() => [Float], {
    nullable: true,
    description:
      'IMAGE, float inputs: per-channel means subtracted after scaling to [0, 1], one per channel of the input or one for all (ImageNet: [0.485, 0.456, 0.406])',
  })
  mean?: number[] | null;
  @Field(() => [Float], {
    nullable: true,
    description:
      'IMAGE, float inputs: per-channel standard deviations (> 0) the values are divided by after the mean, one per channel or one for all (ImageNet: [0.229, 0.224, 0.225])',
  })
  std?: number[] | null;
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
    description: 'Records per request (default 64; a model with a fixed batch size uses it)',
  })
  chunkSize?: number;
}
