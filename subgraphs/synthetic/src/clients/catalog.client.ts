import type {
  CatalogDataset,
  CatalogDatasetContent,
  CreatedCatalogDataset,
  NewCatalogDataset,
} from '../../../../lib/contracts/index';
import { CatalogInternalClient, INTERNAL_ROUTES, routeUrl } from '../../../../lib/contracts/index';
import { callInternal } from '../../../../lib/src/index';

export type { CatalogDataset, NewCatalogDataset } from '../../../../lib/contracts/index';

/** Content reads and dataset creation may take long for large datasets. */
const LONG_CALL = { timeoutMs: 300_000 };

/** Catalog as synthetic uses it: the shared internal client (lib/contracts), with long calls and idempotent creation. */
export class CatalogClient {
  private readonly internal: CatalogInternalClient;

  constructor(private readonly baseUrl: string) {
    this.internal = new CatalogInternalClient(baseUrl);
  }

  /** Dataset metadata; catalog checks the token's read access (grants for users). */
  getDataset(id: string, authorization: string): Promise<CatalogDataset> {
    return this.internal.getDataset(id, authorization);
  }

  /** The latest content as text, with its sha256; only `columns` when given (catalog applies PII rules to those only). */
  getContent(id: string, authorization: string, columns?: readonly string[]): Promise<CatalogDatasetContent> {
    return this.internal.getContent(id, authorization, { ...LONG_CALL, columns });
  }

  /**
   * Registers a dataset (org and creator come from the token). With `idempotencyKey` (sent as the
   * `idempotency-key` header), catalog creates it once: a repeated call answers with the first dataset.
   */
  async createDataset(
    dataset: NewCatalogDataset,
    authorization: string,
    idempotencyKey?: string,
  ): Promise<CreatedCatalogDataset> {
    if (idempotencyKey === undefined) return this.internal.createDataset(dataset, authorization, LONG_CALL);
    const res = await callInternal(routeUrl(this.baseUrl, INTERNAL_ROUTES.catalogCreateDataset), authorization, {
      method: INTERNAL_ROUTES.catalogCreateDataset.method,
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(dataset),
      service: 'catalog',
      ...LONG_CALL,
    });
    return (await res.json()) as CreatedCatalogDataset;
  }
}
