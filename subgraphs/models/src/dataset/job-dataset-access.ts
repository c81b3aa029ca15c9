import { piiColumnsRead } from '../../../../lib/contracts/index';
import type { Viewer } from '../../../../lib/src/index';
import { BadUserInputError, DomainError, NotFoundError, viewerCan } from '../../../../lib/src/index';
import type { CatalogClient } from './catalog.client';

/** What a job will read of a catalog dataset, as the user who starts it. */
export interface JobDatasetUse {
  datasetId: string;
  /** The columns the job uses (they must be in the dataset); empty or absent: all of them. */
  columns?: readonly string[];
  /** Columns the job reads too when the dataset has them (a missing one is not an error). */
  ifPresent?: readonly string[];
  /** The input fields that name the columns (for BAD_USER_INPUT details), in the order of `columns`. */
  columnFields?: readonly string[];
}

/**
 * Checks at submission what the job's delegated reads will ask identity for (see `readDatasetForJob`):
 * `catalog:read`, and `catalog:read-pii` when a column it reads is classified PII. The dataset's metadata
 * is read with the viewer's own token, so it must exist and be visible to them, and the columns must be
 * in it. A job that would fail on its first read is refused here, before anything is created.
 * @throws DomainError FORBIDDEN with `extensions.permission` (and `dataset`, `columns` for PII),
 *   NotFoundError for a dataset the viewer cannot see, BadUserInputError for unknown columns
 */
export async function checkJobDatasetAccess(
  catalog: CatalogClient,
  viewer: Viewer,
  authorization: string | undefined,
  use: JobDatasetUse,
): Promise<void> {
  if (!viewerCan(viewer, 'catalog:read'))
    throw new DomainError('FORBIDDEN', 'Missing permission catalog:read (the job reads its dataset as you)', {
      permission: 'catalog:read',
      datasetId: use.datasetId,
    });
  const dataset = await catalog.datasetAsCaller(use.datasetId, authorization ?? '').catch((error: unknown) => {
    const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
    if (code === 'FORBIDDEN' || code === 'NOT_FOUND' || code === 'UNAUTHENTICATED')
      throw new NotFoundError('Dataset', use.datasetId);
    throw error;
  });
  const columns = use.columns ?? [];
  const unknown = columns
    .map((c, i) => ({ column: c, field: use.columnFields?.[i] ?? 'columns' }))
    .filter(({ column }) => !dataset.columns.some((m) => m.name === column));
  if (unknown.length > 0)
    throw new BadUserInputError(
      `Dataset "${dataset.name}" has no column ${unknown.map((u) => `"${u.column}"`).join(', ')}`,
      unknown.map((u) => ({ field: u.field, message: `not a column of dataset ${dataset.name}: ${u.column}` })),
    );
  const read =
    columns.length > 0
      ? [...new Set([...columns, ...(use.ifPresent ?? []).filter((c) => dataset.columns.some((m) => m.name === c))])]
      : [];
  const pii = piiColumnsRead(dataset, read);
  if (pii.length > 0 && !viewerCan(viewer, 'catalog:read-pii'))
    throw new DomainError(
      'FORBIDDEN',
      `Reading column${pii.length > 1 ? 's' : ''} ${pii.map((c) => `"${c}"`).join(', ')} of dataset "${dataset.name}" (classified PII) needs the permission catalog:read-pii`,
      { permission: 'catalog:read-pii', dataset: dataset.name, columns: pii },
    );
}
