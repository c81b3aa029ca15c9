import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { BadUserInputError, requireViewer } from '../../../../lib/src/index';
import type { CatalogContext } from '../context';
import { accessLevelFor } from '../governance/access.service';
import { AccessGrant } from '../governance/access-grant.entity';
import { ACCESS_RANK, AccessLevel } from './dataset.enums';
import { previewDataset } from './dataset-content.service';
import { DatasetColumn } from './dataset-column';
import { Dataset } from './dataset.entity';
import { DatasetPreview } from './dataset.types';
import { DatasetVersion } from './dataset-version.entity';

@Resolver(() => Dataset)
export class DatasetFieldsResolver {
  @FieldResolver(() => [DatasetColumn], { description: 'Columns with their classification and the statistics of the latest version.' })
  async columns(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<DatasetColumn[]> {
    const latest = dataset.latestVersion > 0 ? await ctx.em.findOne(DatasetVersion, { datasetId: dataset.id, version: dataset.latestVersion }) : null;
    const profiles = new Map((latest?.profile?.columns ?? []).map((c) => [c.name, c]));
    return dataset.columns.map((c) => ({
      name: c.name,
      type: c.type,
      classification: c.classification,
      detectedPii: c.detectedPii ?? null,
      description: c.description ?? null,
      profile: profiles.get(c.name) ?? null,
    }));
  }

  @FieldResolver(() => [DatasetVersion], { description: 'Content versions, newest first.' })
  versions(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<DatasetVersion[]> {
    return ctx.em.find(DatasetVersion, { datasetId: dataset.id }, { orderBy: { version: 'desc' } });
  }

  @FieldResolver(() => DatasetVersion, { nullable: true })
  latestContent(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<DatasetVersion | null> {
    return dataset.latestVersion > 0 ? ctx.em.findOne(DatasetVersion, { datasetId: dataset.id, version: dataset.latestVersion }) : Promise.resolve(null);
  }

  @FieldResolver(() => DatasetPreview, { nullable: true, description: 'The first rows of the latest content; PII columns masked without catalog:read-pii (unmasked reads are audited).' })
  async preview(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext, @Arg('limit', () => Int, { defaultValue: 20 }) limit: number = 20): Promise<DatasetPreview | null> {
    if (limit < 1 || limit > ctx.catalog.maxPreviewRows) throw new BadUserInputError('Invalid preview limit', [{ field: 'limit', message: `must be between 1 and ${ctx.catalog.maxPreviewRows}` }]);
    return previewDataset(ctx.em, ctx.catalog.store, dataset, requireViewer(ctx.viewer), limit);
  }

  @FieldResolver(() => AccessLevel, { nullable: true, description: "The viewer's access level; null when none." })
  async viewerAccess(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<AccessLevel | null> {
    const level = await accessLevelFor(ctx.em, requireViewer(ctx.viewer), dataset);
    return level === 'NONE' ? null : level;
  }

  @FieldResolver(() => [AccessGrant], { description: 'Grants on this dataset; visible to its owners only (empty otherwise).' })
  async accessGrants(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<AccessGrant[]> {
    const level = await accessLevelFor(ctx.em, requireViewer(ctx.viewer), dataset);
    if (level === 'NONE' || ACCESS_RANK[level] < ACCESS_RANK.OWNER) return [];
    return ctx.em.find(AccessGrant, { datasetId: dataset.id }, { orderBy: { createdAt: 'asc' } });
  }
}
