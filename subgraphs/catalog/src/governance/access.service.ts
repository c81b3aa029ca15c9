import type { FilterQuery } from '@mikro-orm/core';
import { ForbiddenError, NotFoundError, viewerCan } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { Dataset } from '../dataset/dataset.entity';
import { ACCESS_RANK, AccessLevel, Classification } from '../dataset/dataset.enums';
import type { DatasetRepository } from '../dataset/dataset.repository';
import type { GovernanceRepository } from './governance.repository';

export type EffectiveAccess = AccessLevel | 'NONE';

/** Classifications every member of the organization with `catalog:read` may read without a grant. */
const OPEN: readonly Classification[] = [Classification.PUBLIC, Classification.INTERNAL];

/** Who may see and do what with a dataset: the one place the catalog's access policy lives. */
export class AccessService {
  constructor(
    private readonly datasets: DatasetRepository,
    private readonly governance: GovernanceRepository,
  ) {}

  /**
   * What a viewer may do with a dataset: `catalog:manage` and the owner get OWNER; otherwise the highest
   * grant to the user or one of its roles; PUBLIC and INTERNAL datasets are readable by any reader of
   * the organization; another organization's dataset is always NONE.
   */
  async levelFor({ em, viewer }: RequestScope, dataset: Dataset): Promise<EffectiveAccess> {
    if (dataset.organizationId !== viewer.organizationId) return 'NONE';
    if (viewerCan(viewer, 'catalog:manage') || dataset.ownerId === viewer.id) return AccessLevel.OWNER;
    const grants = await this.governance.grantsFor(em, dataset.id, viewer);
    let best: EffectiveAccess =
      OPEN.includes(dataset.classification) && viewerCan(viewer, 'catalog:read') ? AccessLevel.READ : 'NONE';
    for (const g of grants) if (ACCESS_RANK[g.level] > ACCESS_RANK[best]) best = g.level;
    return best;
  }

  /** Whether the viewer holds OWNER on the dataset. */
  async owns(scope: RequestScope, dataset: Dataset): Promise<boolean> {
    return (await this.levelFor(scope, dataset)) === AccessLevel.OWNER;
  }

  /** A filter selecting the datasets a viewer can see, for listing and search. */
  async visibleFilter({ em, viewer }: RequestScope): Promise<FilterQuery<Dataset>> {
    if (viewerCan(viewer, 'catalog:manage')) return { organizationId: viewer.organizationId };
    const granted = await this.governance.grantedDatasetIds(em, viewer);
    return {
      organizationId: viewer.organizationId,
      $or: [
        { classification: { $in: [...OPEN] } },
        { ownerId: viewer.id },
        ...(granted.length ? [{ id: { $in: granted } }] : []),
      ],
    };
  }

  /** A dataset of the viewer's organization the viewer can see at all; null otherwise. */
  async visibleDataset(scope: RequestScope, id: string): Promise<Dataset | null> {
    const dataset = await this.datasets.findInOrganization(scope.em, scope.viewer.organizationId, id);
    return dataset && (await this.levelFor(scope, dataset)) !== 'NONE' ? dataset : null;
  }

  /**
   * Loads a dataset the viewer may use at `level`. A dataset the viewer cannot see at all (another
   * organization's, or a confidential one without a grant) is NOT_FOUND, so its existence does not leak.
   */
  async requireDataset(
    scope: RequestScope,
    id: string,
    level: AccessLevel,
  ): Promise<{ dataset: Dataset; access: AccessLevel }> {
    const dataset = await this.datasets.findInOrganization(scope.em, scope.viewer.organizationId, id);
    const access = dataset ? await this.levelFor(scope, dataset) : 'NONE';
    if (!dataset || access === 'NONE') throw new NotFoundError('Dataset', id);
    if (ACCESS_RANK[access] < ACCESS_RANK[level])
      throw new ForbiddenError(`${level} access to this dataset is required`);
    return { dataset, access };
  }

  /**
   * A dataset for a reader of the internal routes: a service token reads any dataset of its
   * organization (services act for the platform, not for a person); a user token goes through grants.
   */
  async requireReadableInternally(scope: RequestScope, id: string): Promise<Dataset> {
    if (scope.viewer.kind !== 'service') return (await this.requireDataset(scope, id, AccessLevel.READ)).dataset;
    const dataset = await this.datasets.findInOrganization(scope.em, scope.viewer.organizationId, id);
    if (!dataset) throw new NotFoundError('Dataset', id);
    return dataset;
  }
}
