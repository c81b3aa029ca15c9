import { Field, Float, Int, ObjectType } from 'type-graphql';
import { JSONObjectScalar } from '../../../../lib/src/index';
import { Dataset } from './dataset.entity';

@ObjectType('DatasetPageInfo')
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType()
export class DatasetEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Dataset) node!: Dataset;
  @Field(() => Float, { description: 'Search relevance; 0 without a query.' }) score!: number;
}

@ObjectType()
export class DatasetConnection {
  @Field(() => [DatasetEdge]) edges!: DatasetEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType()
export class DatasetPreview {
  @Field(() => Int) version!: number;
  @Field(() => [String]) columns!: string[];
  @Field(() => [String], { description: 'PII columns shown as *** because the reader lacks catalog:read-pii.' })
  maskedColumns!: string[];
  @Field(() => [JSONObjectScalar]) rows!: Record<string, unknown>[];
}

@ObjectType()
export class ContentDownload {
  @Field(() => String) url!: string;
  @Field(() => Date) expiresAt!: Date;
}
