import type { EntityManager } from '@mikro-orm/core';
import type { FieldError, Viewer } from '../../../../lib/src/index';
import { BadUserInputError, ConflictError } from '../../../../lib/src/index';
import type { StoredColumn } from './dataset-column';
import { Dataset, searchTextOf } from './dataset.entity';
import { Classification } from './dataset.enums';
import type { DatasetFormat } from './dataset.enums';
import type { ColumnClassificationInput } from './dataset.input';

export interface DatasetFields {
  name?: string | null;
  description?: string | null;
  format?: DatasetFormat;
  tags?: string[] | null;
  classification?: Classification | null;
  columns?: ColumnClassificationInput[] | null;
  schemaVersionId?: string | null;
}

// SchemaVersion ids are the schema registry's global ids (decimal strings today); accept any plain id.
const SCHEMA_VERSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

function check(fields: DatasetFields, creating: boolean): void {
  const errors: FieldError[] = [];
  if (creating || fields.name !== undefined) {
    const name = fields.name?.trim() ?? '';
    if (!name) errors.push({ field: 'name', message: 'must not be empty' });
    else if (name.length > 200) errors.push({ field: 'name', message: 'must be at most 200 characters' });
  }
  if (fields.description && fields.description.length > 10_000) errors.push({ field: 'description', message: 'must be at most 10000 characters' });
  if (fields.tags) {
    if (fields.tags.length > 50) errors.push({ field: 'tags', message: 'at most 50 tags' });
    if (fields.tags.some((t) => !/^[\p{L}\p{N}_:.-]{1,64}$/u.test(t))) errors.push({ field: 'tags', message: 'each tag is 1-64 letters, digits, _ : . or -' });
  }
  if (fields.schemaVersionId && !SCHEMA_VERSION_ID.test(fields.schemaVersionId)) errors.push({ field: 'schemaVersionId', message: 'must be a SchemaVersion id' });
  if (errors.length) throw new BadUserInputError(`Invalid dataset: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
}

function applyColumns(columns: StoredColumn[], given: ColumnClassificationInput[]): StoredColumn[] {
  const out = columns.map((c) => ({ ...c }));
  for (const g of given) {
    const existing = out.find((c) => c.name === g.name);
    if (existing) Object.assign(existing, { classification: g.classification, description: g.description ?? existing.description ?? null, manual: true });
    else out.push({ name: g.name, type: 'NULL', classification: g.classification, detectedPii: null, description: g.description ?? null, manual: true });
  }
  return out;
}

async function assertNameFree(em: EntityManager, organizationId: string, name: string, exceptId?: string): Promise<void> {
  const clash = await em.findOne(Dataset, { organizationId, name, ...(exceptId ? { id: { $ne: exceptId } } : {}) });
  if (clash) throw new ConflictError(`A dataset named "${name}" already exists`);
}

/** Registers a dataset owned by the viewer in the viewer's organization. */
export async function createDataset(em: EntityManager, viewer: Viewer, fields: DatasetFields & { format: DatasetFormat }): Promise<Dataset> {
  check(fields, true);
  const name = fields.name!.trim();
  await assertNameFree(em, viewer.organizationId, name);
  const dataset = em.create(Dataset, {
    organizationId: viewer.organizationId,
    ownerId: viewer.id,
    name,
    description: fields.description ?? null,
    format: fields.format,
    tags: [...new Set(fields.tags ?? [])],
    classification: fields.classification ?? Classification.INTERNAL,
    schemaVersionId: fields.schemaVersionId ?? null,
    columns: applyColumns([], fields.columns ?? []),
  });
  dataset.searchText = searchTextOf(dataset);
  await em.flush();
  return dataset;
}

/** Changes metadata and governance fields; the format is fixed at creation. */
export async function updateDataset(em: EntityManager, dataset: Dataset, fields: DatasetFields): Promise<Dataset> {
  check(fields, false);
  if (fields.name != null && fields.name.trim() !== dataset.name) {
    await assertNameFree(em, dataset.organizationId, fields.name.trim(), dataset.id);
    dataset.name = fields.name.trim();
  }
  if (fields.description !== undefined) dataset.description = fields.description;
  if (fields.tags) dataset.tags = [...new Set(fields.tags)];
  if (fields.classification) dataset.classification = fields.classification;
  if (fields.columns) dataset.columns = applyColumns(dataset.columns, fields.columns);
  if (fields.schemaVersionId !== undefined) dataset.schemaVersionId = fields.schemaVersionId;
  dataset.searchText = searchTextOf(dataset);
  await em.flush();
  return dataset;
}
