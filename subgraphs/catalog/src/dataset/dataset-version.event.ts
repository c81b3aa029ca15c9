import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ContentStatus } from './dataset-version.entity';

/** The pub/sub topic of versions whose profiling ended (replicas share it over Redis). */
export const DATASET_VERSION_TOPIC = 'catalog.datasetVersionStatus';

@ObjectType({ description: 'A dataset version whose profiling ended: READY (profiled, quality rules run) or FAILED.' })
export class DatasetVersionStatusEvent {
  @Field(() => ID)
  datasetId!: string;

  @Field(() => ID)
  versionId!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => ContentStatus)
  status!: ContentStatus;

  @Field(() => String, { nullable: true, description: 'Why the content could not be read (FAILED).' })
  error!: string | null;

  @Field(() => Int, { nullable: true })
  rowCount!: number | null;

  /** Not a field: the organization the event is for (the subscription filters on it). */
  organizationId!: string;
}
