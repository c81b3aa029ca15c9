import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { BadUserInputError, NotFoundError, UploadTicket, requireViewer } from '../../../../lib/src/index';
import type { CatalogContext } from '../context';
import { requireDataset } from '../governance/access.service';
import { searchDatasets } from '../search/dataset.search';
import { createPendingVersion } from './dataset-content.service';
import { Dataset } from './dataset.entity';
import { AccessLevel, CONTENT_TYPES } from './dataset.enums';
import { CreateDatasetInput, CreateDatasetUploadInput, DatasetFilterInput, UpdateDatasetInput } from './dataset.input';
import { createDataset, updateDataset } from './dataset.service';
import { DatasetConnection } from './dataset.types';
import { DatasetVersion } from './dataset-version.entity';
import { AccessGrant } from '../governance/access-grant.entity';
import { AccessRequest } from '../governance/access-request.entity';
import { QualityCheck } from '../quality/quality-check.entity';
import { QualityRule } from '../quality/quality-rule.entity';

export const DATASET_CONTENT_PURPOSE = 'DATASET_CONTENT';

@Resolver(() => Dataset)
export class DatasetResolver {
  @Query(() => Dataset, { description: 'A dataset the viewer can see; NOT_FOUND otherwise.' })
  async dataset(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext): Promise<Dataset> {
    return (await requireDataset(ctx.em, requireViewer(ctx.viewer), id, AccessLevel.READ)).dataset;
  }

  @Query(() => DatasetConnection, { description: 'Search over names, descriptions, tags and column names, ranked; newest first without a query.' })
  async datasets(
    @Ctx() ctx: CatalogContext,
    @Arg('query', () => String, { nullable: true }) query?: string,
    @Arg('filter', () => DatasetFilterInput, { nullable: true }) filter?: DatasetFilterInput,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number = 20,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<DatasetConnection> {
    const page = await searchDatasets(ctx.em, requireViewer(ctx.viewer), { query, first, after, ...filter });
    return {
      edges: page.hits.map((h) => ({ cursor: h.cursor, node: h.dataset, score: h.score })),
      totalCount: page.totalCount,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.hits[0]?.cursor ?? null,
        endCursor: page.hits[page.hits.length - 1]?.cursor ?? null,
      },
    };
  }

  @Mutation(() => Dataset)
  async createDataset(@Arg('input', () => CreateDatasetInput) input: CreateDatasetInput, @Ctx() ctx: CatalogContext): Promise<Dataset> {
    return createDataset(ctx.em, requireViewer(ctx.viewer), input);
  }

  @Mutation(() => Dataset, { description: 'Needs WRITE access; classification changes need OWNER.' })
  async updateDataset(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateDatasetInput) input: UpdateDatasetInput, @Ctx() ctx: CatalogContext): Promise<Dataset> {
    const governs = input.classification != null || (input.columns?.length ?? 0) > 0;
    const { dataset } = await requireDataset(ctx.em, requireViewer(ctx.viewer), id, governs ? AccessLevel.OWNER : AccessLevel.WRITE);
    return updateDataset(ctx.em, dataset, input);
  }

  @Mutation(() => Boolean, { description: 'Removes the dataset and its metadata; needs OWNER.' })
  async deleteDataset(@Arg('id', () => ID) id: string, @Ctx() ctx: CatalogContext): Promise<boolean> {
    const { dataset } = await requireDataset(ctx.em, requireViewer(ctx.viewer), id, AccessLevel.OWNER);
    const shas = (await ctx.em.find(DatasetVersion, { datasetId: dataset.id, contentDeletedAt: null })).map((v) => v.sha256);
    for (const entity of [DatasetVersion, QualityRule, QualityCheck, AccessGrant, AccessRequest] as const) await ctx.em.nativeDelete(entity, { datasetId: dataset.id });
    ctx.em.remove(dataset);
    await ctx.em.flush();
    // Content-addressed bytes may be shared with another dataset's version: delete only orphans.
    for (const sha of new Set(shas)) if ((await ctx.em.count(DatasetVersion, { sha256: sha, contentDeletedAt: null })) === 0) await ctx.catalog.store.delete(sha);
    return true;
  }

  @Mutation(() => UploadTicket, { description: 'A short-lived URL to PUT dataset content to; then call addDatasetVersion with its id.' })
  createDatasetUpload(@Arg('input', () => CreateDatasetUploadInput) input: CreateDatasetUploadInput, @Ctx() ctx: CatalogContext): UploadTicket {
    const viewer = requireViewer(ctx.viewer);
    if (input.purpose !== DATASET_CONTENT_PURPOSE) throw new BadUserInputError(`Unknown upload purpose`, [{ field: 'purpose', message: `must be ${DATASET_CONTENT_PURPOSE}` }]);
    if (input.contentType && !Object.values(CONTENT_TYPES).includes(input.contentType)) {
      throw new BadUserInputError('Unsupported content type', [{ field: 'contentType', message: `must be ${Object.values(CONTENT_TYPES).join(' or ')}` }]);
    }
    if (input.size != null && input.size > ctx.catalog.maxContentBytes) {
      throw new BadUserInputError('Content too large', [{ field: 'size', message: `must be at most ${ctx.catalog.maxContentBytes} bytes` }]);
    }
    return ctx.catalog.uploads.create({ purpose: input.purpose, filename: input.filename, contentType: input.contentType ?? undefined, organizationId: viewer.organizationId, userId: viewer.id });
  }

  @Mutation(() => DatasetVersion, { description: 'Makes a finished upload the next content version (status PROFILING); in the background it is profiled, PII columns are detected, and once READY it becomes the latest version and the quality rules run.' })
  async addDatasetVersion(@Arg('datasetId', () => ID) datasetId: string, @Arg('uploadId', () => ID) uploadId: string, @Ctx() ctx: CatalogContext): Promise<DatasetVersion> {
    const viewer = requireViewer(ctx.viewer);
    const { dataset } = await requireDataset(ctx.em, viewer, datasetId, AccessLevel.WRITE);
    const upload = await ctx.catalog.uploads.get(uploadId, viewer.organizationId);
    if (!upload || upload.purpose !== DATASET_CONTENT_PURPOSE) throw new NotFoundError('Upload', uploadId);
    const version = await createPendingVersion(ctx.em, dataset, upload, viewer.id);
    ctx.catalog.profiling.enqueue(version.id);
    return version;
  }
}
