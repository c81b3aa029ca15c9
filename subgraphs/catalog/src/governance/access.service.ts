import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { Viewer } from '../../../../lib/src/index';
import { ForbiddenError, NotFoundError, viewerCan } from '../../../../lib/src/index';
import { Dataset } from '../dataset/dataset.entity';
import { ACCESS_RANK, AccessLevel, Classification } from '../dataset/dataset.enums';
import { AccessGrant } from './access-grant.entity';
import { GrantSubjectType } from './governance.enums';

export type EffectiveAccess = AccessLevel | 'NONE';

/** Classifications every member of the organization with `catalog:read` may read without a grant. */
const OPEN: readonly Classification[] = [Classification.PUBLIC, Classification.INTERNAL];

function subjectsOf(viewer: Viewer): FilterQuery<AccessGrant>[] {
  return [
    { subjectType: GrantSubjectType.USER, subjectId: viewer.id },
    ...(viewer.roles.length ? [{ subjectType: GrantSubjectType.ROLE, subjectId: { $in: viewer.roles } }] : []),
  ];
}

/**
 * What a viewer may do with a dataset: `catalog:manage` and the owner get OWNER; otherwise the highest
 * grant to the user or one of its roles; PUBLIC and INTERNAL datasets are readable by any reader of
 * the organization; another organization's dataset is always NONE.
 */
export async function accessLevelFor(em: EntityManager, viewer: Viewer, dataset: Dataset): Promise<EffectiveAccess> {
  if (dataset.organizationId !== viewer.organizationId) return 'NONE';
  if (viewerCan(viewer, 'catalog:manage') || dataset.ownerId === viewer.id) return AccessLevel.OWNER;
  const grants = await em.find(AccessGrant, { datasetId: dataset.id, $or: subjectsOf(viewer) });
  let best: EffectiveAccess = OPEN.includes(dataset.classification) && viewerCan(viewer, 'catalog:read') ? AccessLevel.READ : 'NONE';
  for (const g of grants) if (ACCESS_RANK[g.level] > ACCESS_RANK[best]) best = g.level;
  return best;
}

/** A filter selecting the datasets a viewer can see, for listing and search. */
export async function visibleDatasetFilter(em: EntityManager, viewer: Viewer): Promise<FilterQuery<Dataset>> {
  if (viewerCan(viewer, 'catalog:manage')) return { organizationId: viewer.organizationId };
  const granted = await em.find(AccessGrant, { organizationId: viewer.organizationId, $or: subjectsOf(viewer) }, { fields: ['datasetId'] });
  return {
    organizationId: viewer.organizationId,
    $or: [{ classification: { $in: [...OPEN] } }, { ownerId: viewer.id }, ...(granted.length ? [{ id: { $in: [...new Set(granted.map((g) => g.datasetId))] } }] : [])],
  };
}

/**
 * Loads a dataset the viewer may use at `level`. A dataset the viewer cannot see at all (another
 * organization's, or a confidential one without a grant) is NOT_FOUND, so its existence does not leak.
 */
export async function requireDataset(em: EntityManager, viewer: Viewer, id: string, level: AccessLevel): Promise<{ dataset: Dataset; access: AccessLevel }> {
  const dataset = await em.findOne(Dataset, { id, organizationId: viewer.organizationId });
  const access = dataset ? await accessLevelFor(em, viewer, dataset) : 'NONE';
  if (!dataset || access === 'NONE') throw new NotFoundError('Dataset', id);
  if (ACCESS_RANK[access] < ACCESS_RANK[level]) throw new ForbiddenError(`${level} access to this dataset is required`);
  return { dataset, access };
}
