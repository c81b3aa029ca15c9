import { Dataset } from './dataset/dataset.entity';
import { DatasetVersion } from './dataset/dataset-version.entity';
import { AccessGrant } from './governance/access-grant.entity';
import { AccessRequest } from './governance/access-request.entity';
import { AuditEntry } from './governance/audit-entry.entity';
import { ColumnLineageEdge } from './lineage/column-lineage-edge.entity';
import { LineageEdge } from './lineage/lineage-edge.entity';
import { LineageEventRecord } from './lineage/lineage-event.entity';
import { LineageNode } from './lineage/lineage-node.entity';
import { LineageRun } from './lineage/lineage-run.entity';
import { QualityCheck } from './quality/quality-check.entity';
import { QualityRule } from './quality/quality-rule.entity';

/** Every entity of the catalog's database, listed explicitly. */
export const CATALOG_ENTITIES = [
  Dataset,
  DatasetVersion,
  AccessGrant,
  AccessRequest,
  AuditEntry,
  QualityRule,
  QualityCheck,
  LineageNode,
  LineageEdge,
  LineageRun,
  LineageEventRecord,
  ColumnLineageEdge,
];
