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
