import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { UploadTicket } from '../../../../lib/src/index';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogContext } from '../context';
import { Dataset } from './dataset.entity';
import { CreateDatasetInput, CreateDatasetUploadInput, DatasetFilterInput, UpdateDatasetInput } from './dataset.input';
import { DatasetConnection } from './dataset.type';
import { DatasetVersion } from './dataset-version.entity';
import { DATASET_VERSION_TOPIC, DatasetVersionStatusEvent } from './dataset-version.event';
import { PiiReviewDecision } from './dataset.enums';

@Resolver(() => Dataset)
export class DatasetResolver {
  @Subscription(() => DatasetVersionStatusEvent, {
    topics: DATASET_VERSION_TOPIC,
    // Only datasets the subscriber can see (its organization, and a grant for confidential ones).
    filter: async ({
      payload,
      args,
      context,
    }: {
      payload: DatasetVersionStatusEvent;
      args: { datasetId?: string | null };
      context: CatalogContext;
    }) =>
      !!context.viewer &&
      (!args.datasetId || args.datasetId === payload.datasetId) &&
      (await context.services.datasets.announcesTo(requestScope(context), payload)),
    description:
      'A version of a dataset (or of any dataset you can see) finished profiling: READY with its row count, or FAILED with why. Subscribe before adding the version.',
  })
  datasetVersionStatusChanged(
    @Root() event: DatasetVersionStatusEvent,
    @Arg('datasetId', () => ID, { nullable: true }) _datasetId?: string,
  ): DatasetVersionStatusEvent {
    return event;
  }

  @Query(() => Dataset, { nullable: true, description: 'A dataset the viewer can see; NOT_FOUND otherwise.' })
  dataset(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext): Promise<Dataset> {
    return ctx.services.datasets.get(requestScope(ctx), id);
  }

  @Query(() => DatasetConnection, {
    nullable: true,
    description: 'Search over names, descriptions, tags and column names, ranked; newest first without a query.',
  })
  datasets(
    @Ctx() ctx: CatalogContext,
    @Arg('query', () => String, { nullable: true }) query?: string,
    @Arg('filter', () => DatasetFilterInput, { nullable: true }) filter?: DatasetFilterInput,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number = 20,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<DatasetConnection> {
    return ctx.services.datasets.searchPage(requestScope(ctx), { query, first, after, ...filter });
  }

  @Mutation(() => Dataset)
  createDataset(
    @Arg('input', () => CreateDatasetInput) input: CreateDatasetInput,
    @Ctx() ctx: CatalogContext,
  ): Promise<Dataset> {
    return ctx.services.datasets.create(requestScope(ctx), input);
  }

  @Mutation(() => Dataset, { description: 'Needs WRITE access; classification changes need OWNER.' })
  updateDataset(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateDatasetInput) input: UpdateDatasetInput,
    @Ctx() ctx: CatalogContext,
  ): Promise<Dataset> {
    return ctx.services.datasets.update(requestScope(ctx), id, input);
  }

  @Mutation(() => Dataset, {
    description:
      'Confirms (classified PII) or dismisses (classified INTERNAL) the PII detection of a column; needs OWNER. The decision is kept across new versions.',
  })
  reviewColumnPii(
    @Arg('datasetId', () => ID) datasetId: string,
    @Arg('column', () => String) column: string,
    @Arg('decision', () => PiiReviewDecision) decision: PiiReviewDecision,
    @Ctx() ctx: CatalogContext,
  ): Promise<Dataset> {
    return ctx.services.datasets.reviewColumnPii(requestScope(ctx), datasetId, column, decision);
  }

  @Mutation(() => Boolean, { description: 'Removes the dataset and its metadata; needs OWNER.' })
  deleteDataset(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext): Promise<boolean> {
    return ctx.services.datasets.delete(requestScope(ctx), id);
  }

  @Mutation(() => UploadTicket, {
    description: 'A short-lived URL to PUT dataset content to; then call addDatasetVersion with its id.',
  })
  createDatasetUpload(
    @Arg('input', () => CreateDatasetUploadInput) input: CreateDatasetUploadInput,
    @Ctx() ctx: CatalogContext,
  ): UploadTicket {
    return ctx.services.datasets.createUpload(requestScope(ctx), input);
  }

  @Mutation(() => DatasetVersion, {
    description:
      'Makes a finished upload the next content version (status PROFILING); in the background it is profiled, PII columns are detected, and once READY it becomes the latest version and the quality rules run.',
  })
  addDatasetVersion(
    @Arg('datasetId', () => ID) datasetId: string,
    @Arg('uploadId', () => ID) uploadId: string,
    @Ctx() ctx: CatalogContext,
  ): Promise<DatasetVersion> {
    return ctx.services.datasets.addVersion(requestScope(ctx), datasetId, uploadId);
  }
}
