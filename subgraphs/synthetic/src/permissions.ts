import type { RuleMap } from '../../../lib/src/index';
import { hasPermission } from '../../../lib/src/index';

/** Root-field rules; anything not listed is denied by lib's `applyPermissions`. */
export const permissions: RuleMap = {
  Query: {
    syntheticDataJob: hasPermission('synthetic:read'),
    syntheticDataJobs: hasPermission('synthetic:read'),
    syntheticReport: hasPermission('synthetic:read'),
  },
  Mutation: {
    createSyntheticDataJob: hasPermission('synthetic:run'),
    cancelSyntheticDataJob: hasPermission('synthetic:run'),
  },
  Subscription: {
    syntheticDataJobUpdated: hasPermission('synthetic:read'),
  },
};
