import { DomainError } from '../src/errors';
import type { ServiceTokenSource } from '../src/service-client';
import { callInternal } from '../src/service-client';
import type { CatalogDataset, CreatedCatalogDataset, NewCatalogDataset } from './routes';
import { CONTENT_SHA256_HEADER, INTERNAL_ROUTES, routeUrl } from './routes';

/** Per-call options: a cancellation signal and a timeout (callInternal's 60 s by default). */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The latest content of a dataset as text, with its hash and content type as catalog sent them. */
export interface CatalogDatasetContent {
  text: string;
  sha256: string | null;
  contentType: string;
}

/**
 * The one client of catalog's internal dataset routes (INTERNAL_ROUTES.catalog*). Every call carries
 * the given Authorization header, a bearer token of the organization owning the dataset: the
 * caller's own during a request, a service token in background work.
 */
export class CatalogInternalClient {
  constructor(private readonly baseUrl: string) {}

  /** Dataset metadata; catalog checks the token's read access (grants, for users). */
  async getDataset(id: string, authorization: string, opts: CallOptions = {}): Promise<CatalogDataset> {
    const res = await callInternal(routeUrl(this.baseUrl, INTERNAL_ROUTES.catalogDataset, { id }), authorization, {
      ...opts,
    });
    return (await res.json()) as CatalogDataset;
  }

  /** The latest content as text. */
  /**
   * @param opts.columns only these columns (in the stored format); PII rules then apply to those only
   */
  async getContent(
    id: string,
    authorization: string,
    opts: CallOptions & { columns?: readonly string[] } = {},
  ): Promise<CatalogDatasetContent> {
    const { columns, ...call } = opts;
    const query = columns?.length
      ? `?${new URLSearchParams(columns.map((c): [string, string] => ['column', c])).toString()}`
      : '';
    const res = await callInternal(
      `${routeUrl(this.baseUrl, INTERNAL_ROUTES.catalogDatasetContent, { id })}${query}`,
      authorization,
      { ...call },
    );
    return {
      text: await res.text(),
      sha256: res.headers.get(CONTENT_SHA256_HEADER),
      contentType: res.headers.get('content-type') ?? '',
    };
  }

  /** Registers a dataset with its first content (organization and creator come from the token). */
  async createDataset(
    dataset: NewCatalogDataset,
    authorization: string,
    opts: CallOptions = {},
  ): Promise<CreatedCatalogDataset> {
    const res = await callInternal(routeUrl(this.baseUrl, INTERNAL_ROUTES.catalogCreateDataset), authorization, {
      method: INTERNAL_ROUTES.catalogCreateDataset.method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(dataset),
      ...opts,
    });
    return (await res.json()) as CreatedCatalogDataset;
  }
}

/** A job's read of a dataset: who it acts for and what it uses. */
export interface JobDatasetRead extends CallOptions {
  organizationId: string;
  datasetId: string;
  /** The user who started the job: the read runs with that user's permissions (a delegated token). */
  onBehalfOf: string;
  /** The columns the job uses (all when omitted): only those are read, and PII rules apply to those only. */
  columns?: readonly string[];
  /**
   * Columns read too when the dataset has them, and not an error when it does not (a rule that checks a
   * column exists). Only with `columns`.
   */
  ifPresent?: readonly string[];
}

/**
 * The columns of a job's read that are classified PII (the column, or the dataset as a whole): reading
 * them needs `catalog:read-pii` besides `catalog:read`. What `readDatasetForJob` asks identity for, so a
 * service can check the same at submission.
 * @param columns the columns the job reads; all of them when empty
 */
export function piiColumnsRead(
  dataset: Pick<CatalogDataset, 'classification' | 'columns'>,
  columns?: readonly string[],
): string[] {
  const used = columns?.length ? columns : dataset.columns.map((c) => c.name);
  return dataset.columns
    .filter((c) => used.includes(c.name) && (c.classification === 'PII' || dataset.classification === 'PII'))
    .map((c) => c.name);
}

/**
 * Reads a dataset for a job as the user who started it: metadata, then only the columns the job uses,
 * asking identity for `catalog:read-pii` only when one of those columns is PII. A refusal names the
 * dataset, the columns and the permission (FORBIDDEN); a column the dataset lacks is BAD_USER_INPUT.
 */
export async function readDatasetForJob(
  catalog: CatalogInternalClient,
  tokens: ServiceTokenSource,
  read: JobDatasetRead,
): Promise<{ dataset: CatalogDataset; content: CatalogDatasetContent }> {
  const { organizationId, datasetId, onBehalfOf, columns: wanted, ifPresent, ...call } = read;
  const token = async (permissions: string[]) =>
    `Bearer ${await tokens.getToken(organizationId, permissions, { onBehalfOf })}`;
  const plain = await token(['catalog:read']);
  const dataset = await catalog.getDataset(datasetId, plain, call);
  const has = (c: string) => dataset.columns.some((m) => m.name === c);
  const missing = (wanted ?? []).filter((c) => !has(c));
  if (missing.length > 0)
    throw new DomainError(
      'BAD_USER_INPUT',
      `Dataset "${dataset.name}" has no column ${missing.map((c) => `"${c}"`).join(', ')}`,
      { fields: [{ field: 'columns', message: `not in dataset ${dataset.name}: ${missing.join(', ')}` }] },
    );
  const columns = wanted?.length ? [...new Set([...wanted, ...(ifPresent ?? []).filter(has)])] : wanted;
  const pii = piiColumnsRead(dataset, columns);
  let authorization = plain;
  if (pii.length > 0) {
    try {
      authorization = await token(['catalog:read', 'catalog:read-pii']);
    } catch (error) {
      if ((error as { extensions?: { code?: unknown } }).extensions?.code !== 'FORBIDDEN') throw error;
      throw new DomainError(
        'FORBIDDEN',
        `Reading column${pii.length > 1 ? 's' : ''} ${pii.map((c) => `"${c}"`).join(', ')} of dataset "${dataset.name}" (classified PII) needs the permission catalog:read-pii, which the user who started this job lacks`,
        { dataset: dataset.name, columns: pii, permission: 'catalog:read-pii' },
      );
    }
  }
  const content = await catalog.getContent(datasetId, authorization, { ...call, columns });
  return { dataset, content };
}
