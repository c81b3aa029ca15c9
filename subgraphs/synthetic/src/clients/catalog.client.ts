import { callGraphQL, callInternal } from '../../../../lib/src/index';

/** Dataset metadata as catalog's `GET /internal/datasets/:id` returns it. */
export interface CatalogDataset {
  id: string;
  organizationId: string;
  name: string;
  format: 'CSV' | 'JSONL';
  classification: string;
  columns: { name: string; type: string; classification: string | null }[];
  latestVersion: { version: number; sha256: string; size: number; rowCount: number | null } | null;
}

/** A new dataset for `POST /internal/datasets`. */
export interface NewCatalogDataset {
  name: string;
  description?: string;
  format: 'CSV' | 'JSONL';
  content: string;
  classification?: string;
  columns?: { name: string; classification: string }[];
  tags?: string[];
}

/** Catalog's internal routes (LIB-CONTRACT), called with a bearer token of the owning organization. */
export class CatalogClient {
  constructor(private readonly baseUrl: string) {}

  /** Dataset metadata; catalog checks the token's read access (grants for users). */
  async getDataset(id: string, authorization: string): Promise<CatalogDataset> {
    const res = await callInternal(`${this.baseUrl}/internal/datasets/${encodeURIComponent(id)}`, authorization);
    return (await res.json()) as CatalogDataset;
  }

  /** The latest content as text, with its sha256. */
  async getContent(id: string, authorization: string): Promise<{ text: string; sha256: string | null; contentType: string }> {
    const res = await callInternal(`${this.baseUrl}/internal/datasets/${encodeURIComponent(id)}/content`, authorization, { timeoutMs: 300_000 });
    return { text: await res.text(), sha256: res.headers.get('x-sha256'), contentType: res.headers.get('content-type') ?? '' };
  }

  /** Registers a dataset (org and creator come from the token). */
  async createDataset(dataset: NewCatalogDataset, authorization: string): Promise<{ id: string; version: number }> {
    const res = await callInternal(`${this.baseUrl}/internal/datasets`, authorization, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(dataset),
      timeoutMs: 300_000,
    });
    return (await res.json()) as { id: string; version: number };
  }

  /** Gives a user access to a dataset (the token must own it): the job's requester owns its output. */
  async grantUser(datasetId: string, userId: string, level: 'READ' | 'WRITE' | 'OWNER', authorization: string): Promise<void> {
    await callGraphQL(
      `${this.baseUrl}/graphql`,
      'mutation($d: ID!, $u: String!, $l: AccessLevel!) { grantAccess(datasetId: $d, subjectType: USER, subjectId: $u, level: $l) { id } }',
      { d: datasetId, u: userId, l: level },
      authorization,
      { service: 'catalog' },
    );
  }
}
