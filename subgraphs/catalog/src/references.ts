import type { ReferenceResolvers } from '../../../lib/src/index';
import type { CatalogContext } from './context';
import { Dataset } from './dataset/dataset.entity';
import { accessLevelFor } from './governance/access.service';
import { AccessGrant } from './governance/access-grant.entity';
import { LineageRun } from './lineage/lineage-run.entity';
import { QualityCheck } from './quality/quality-check.entity';

async function visibleDataset(id: string, ctx: CatalogContext): Promise<Dataset | null> {
  if (!ctx.viewer) return null;
  const d = await ctx.em.findOne(Dataset, { id, organizationId: ctx.viewer.organizationId });
  return d && (await accessLevelFor(ctx.em, ctx.viewer, d)) !== 'NONE' ? d : null;
}

/** Entity lookups from other subgraphs: null unless the viewer could read the entity here. */
export const referenceResolvers: ReferenceResolvers = {
  Dataset: (ref: { id: string }, ctx: CatalogContext) => visibleDataset(ref.id, ctx),
  LineageRun: async (ref: { id: string }, ctx: CatalogContext) => (ctx.viewer ? ctx.em.findOne(LineageRun, { id: ref.id, organizationId: ctx.viewer.organizationId }) : null),
  QualityCheck: async (ref: { id: string }, ctx: CatalogContext) => {
    const check = ctx.viewer ? await ctx.em.findOne(QualityCheck, { id: ref.id, organizationId: ctx.viewer.organizationId }) : null;
    return check && (await visibleDataset(check.datasetId, ctx)) ? check : null;
  },
  AccessGrant: async (ref: { id: string }, ctx: CatalogContext) => {
    const grant = ctx.viewer ? await ctx.em.findOne(AccessGrant, { id: ref.id, organizationId: ctx.viewer.organizationId }) : null;
    const d = grant ? await visibleDataset(grant.datasetId, ctx) : null;
    return grant && d && (await accessLevelFor(ctx.em, ctx.viewer!, d)) === 'OWNER' ? grant : null;
  },
};
