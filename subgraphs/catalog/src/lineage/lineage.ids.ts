import { createHash } from 'node:crypto';
import { LINEAGE_NAMESPACES, catalogDatasetIdOf, lineageNames } from '../../../../lib/contracts/index';

export type LineageNodeKind = 'DATASET' | 'JOB';

/** A UUID-shaped id derived from its parts, so the same job, dataset or edge always gets the same row. */
export function stableId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Node ids include the organization: two organizations naming the same dataset get two nodes. */
export function lineageNodeId(organizationId: string, kind: LineageNodeKind, namespace: string, name: string): string {
  return stableId('node', organizationId, kind, namespace, name);
}

export function lineageEdgeId(fromNodeId: string, toNodeId: string): string {
  return stableId('edge', fromNodeId, toNodeId);
}

export function lineageRunKey(organizationId: string, runId: string): string {
  return stableId('run', organizationId, runId);
}

export function columnEdgeId(
  outputNodeId: string,
  outputField: string,
  inputNodeId: string,
  inputField: string,
): string {
  return stableId('column', outputNodeId, outputField, inputNodeId, inputField);
}

/** The OpenLineage namespace of datasets registered in this catalog (declared in lib/contracts). */
export const CATALOG_NAMESPACE = LINEAGE_NAMESPACES.catalog;

/** The OpenLineage name of a catalog dataset (`datasets/<id>` in namespace `aic://catalog`). */
export const catalogDatasetName = lineageNames.catalogDataset;

/** The catalog dataset id an OpenLineage dataset refers to, when it is one of ours. */
export { catalogDatasetIdOf };
