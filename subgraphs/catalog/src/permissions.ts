import type { RuleMap } from '../../../lib/src/index';
import { hasPermission } from '../../../lib/src/index';

const read = hasPermission('catalog:read');
const write = hasPermission('catalog:write');

/**
 * Root-field rules; per-dataset access (grants, classification, ownership) is checked in the
 * resolvers because it depends on the dataset.
 */
export const permissions: RuleMap = {
  Query: {
    dataset: read,
    datasets: read,
    lineage: read,
    lineageNode: read,
    columnLineage: read,
    lineageRun: read,
    lineageRuns: read,
    accessRequests: read,
    auditEntries: hasPermission('audit:read'),
  },
  Mutation: {
    createDataset: write,
    updateDataset: write,
    reviewColumnPii: write,
    deleteDataset: write,
    createDatasetUpload: write,
    addDatasetVersion: write,
    createQualityRule: write,
    deleteQualityRule: write,
    runQualityChecks: read,
    ingestLineageEvent: write,
    grantAccess: write,
    revokeAccess: write,
    requestAccess: read,
    decideAccessRequest: write,
    setRetentionPolicy: write,
  },
  Subscription: {
    lineageEvents: read,
    datasetVersionStatusChanged: read,
  },
};
