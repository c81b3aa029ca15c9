import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { CatalogContext } from '../context';
import { AccessGrant } from '../governance/access-grant.entity';
import { AccessLevel } from './dataset.enums';
import { DatasetColumn } from './dataset-column.type';
import { Dataset } from './dataset.entity';
import { DatasetPreview } from './dataset.type';
import { DatasetVersion } from './dataset-version.entity';

@Resolver(() => Dataset)
export class DatasetFieldsResolver {
  @FieldResolver(() => [DatasetColumn], {
    description: 'Columns with their classification and the statistics of the latest version.',
  })
  columns(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<DatasetColumn[]> {
    return ctx.services.datasets.columns(requestScope(ctx), dataset);
  }

  @FieldResolver(() => [DatasetVersion], { description: 'Content versions, newest first.' })
  versions(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<DatasetVersion[]> {
    return ctx.services.content.versionsOf(requestScope(ctx), dataset);
  }

  @FieldResolver(() => DatasetVersion, { nullable: true })
  latestContent(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<DatasetVersion | null> {
    return ctx.services.content.latestVersion(requestScope(ctx), dataset);
  }

  @FieldResolver(() => DatasetPreview, {
    nullable: true,
    description:
      'The first rows of the latest content; PII columns masked without catalog:read-pii (unmasked reads are audited).',
  })
  preview(
    @Root() dataset: Dataset,
    @Ctx() ctx: CatalogContext,
    @Arg('limit', () => Int, { defaultValue: 20 }) limit: number = 20,
  ): Promise<DatasetPreview | null> {
    return ctx.services.content.preview(requestScope(ctx), dataset, limit);
  }

  @FieldResolver(() => AccessLevel, { nullable: true, description: "The viewer's access level; null when none." })
  viewerAccess(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<AccessLevel | null> {
    return ctx.services.governance.viewerAccess(requestScope(ctx), dataset);
  }

  @FieldResolver(() => [AccessGrant], {
    description: 'Grants on this dataset; visible to its owners only (empty otherwise).',
  })
  accessGrants(@Root() dataset: Dataset, @Ctx() ctx: CatalogContext): Promise<AccessGrant[]> {
    return ctx.services.governance.grantsOn(requestScope(ctx), dataset);
  }
}
