import type { ServiceTokenSource } from '../../../../lib/src/index';
import type { CatalogDataset } from '../../../../lib/contracts/index';
import { CatalogInternalClient, readDatasetForJob } from '../../../../lib/contracts/index';
import {
  callGraphQL,
  ContentFormatError,
  DomainError,
  parseCsvRecords,
  parseJsonLines,
} from '../../../../lib/src/index';

export type { CatalogDataset } from '../../../../lib/contracts/index';

/** One rule's outcome in a catalog quality check (status SUCCESS, FAILED or ABORTED). */
export interface CatalogQualityResult {
  ruleId: string | null;
  type: string;
  column: string | null;
  status: string;
  message: string;
  observedValue: string | null;
  failedRows: number;
}

/** A quality check catalog ran on a dataset's latest content with the dataset's own rules. */
export interface CatalogQualityCheck {
  id: string;
  version: number;
  rowCount: number;
  score: number | null;
  results: CatalogQualityResult[];
}

const RUN_QUALITY_CHECKS = `mutation RunQualityChecks($datasetId: ID!) {
  runQualityChecks(datasetId: $datasetId) { id version rowCount score results { ruleId type column status message observedValue failedRows } }
}`;

/** A dataset's rows as records, with the content hash they were read from. */
export interface DatasetContent {
  dataset: CatalogDataset;
  sha256: string | null;
  records: Record<string, unknown>[];
}

/** Parses CSV (header row) or JSON Lines into records. */
export function parseRecords(text: string, contentType: string): Record<string, unknown>[] {
  if (/ndjson|jsonl|json/i.test(contentType)) {
    try {
      return parseJsonLines(text);
    } catch (error) {
      if (error instanceof ContentFormatError)
        throw new DomainError('DATASET_UNREADABLE', `line ${error.line} of the dataset is not JSON`);
      throw error;
    }
  }
  return parseCsvRecords(text);
}

/** Reads datasets from catalog's internal routes as this service (`catalog:read`). */
export class CatalogClient {
  private readonly internal: CatalogInternalClient;

  constructor(
    private readonly catalogUrl: string,
    private readonly tokens: ServiceTokenSource | undefined,
  ) {
    this.internal = new CatalogInternalClient(catalogUrl);
  }

  private async authorization(organizationId: string, permissions: string[]): Promise<string> {
    if (!this.tokens)
      throw new DomainError(
        'SERVICE_UNAVAILABLE',
        'AIC_SERVICE_SECRET is not configured: the models service cannot call the catalog',
      );
    return `Bearer ${await this.tokens.getToken(organizationId, permissions)}`;
  }

  /**
   * A dataset's metadata read with the caller's own token (its `Authorization` header): what the
   * caller may see, for checks at submission.
   */
  datasetAsCaller(datasetId: string, authorization: string): Promise<CatalogDataset> {
    return this.internal.getDataset(datasetId, authorization);
  }

  /**
   * Metadata and content of a dataset's latest version.
   * @param opts.columns read only these columns (what the job uses); PII rules apply to those only
   * @param opts.ifPresent columns read too when the dataset has them (with `onBehalfOf` and `columns`)
   * @param opts.onBehalfOf the user whose job reads it: the read runs with that user's permissions
   *   (a delegated token), and a refusal names the dataset, the columns and the permission
   */
  async readDataset(
    organizationId: string,
    datasetId: string,
    signal?: AbortSignal,
    opts: { columns?: readonly string[]; ifPresent?: readonly string[]; onBehalfOf?: string } = {},
  ): Promise<DatasetContent> {
    const { columns, ifPresent, onBehalfOf } = opts;
    let meta: CatalogDataset;
    let content: { text: string; sha256: string | null; contentType: string };
    if (onBehalfOf) {
      if (!this.tokens)
        throw new DomainError('SERVICE_UNAVAILABLE', 'AIC_SERVICE_SECRET is not configured: jobs cannot read datasets');
      ({ dataset: meta, content } = await readDatasetForJob(this.internal, this.tokens, {
        organizationId,
        datasetId,
        onBehalfOf,
        columns,
        ifPresent,
        signal,
        timeoutMs: 300_000,
      }));
    } else {
      const authorization = await this.authorization(organizationId, ['catalog:read']);
      meta = await this.internal.getDataset(datasetId, authorization, { signal });
      content = await this.internal.getContent(datasetId, authorization, { signal, timeoutMs: 300_000, columns });
    }
    return {
      dataset: meta,
      sha256: content.sha256 ?? meta.latestVersion?.sha256 ?? null,
      records: parseRecords(content.text, content.contentType || 'text/csv'),
    };
  }

  /**
   * Runs the dataset's own quality rules in catalog (`runQualityChecks`, which needs `catalog:read`) as
   * the user whose job asks (a delegated token): catalog applies that user's access to the dataset.
   * @returns the check, or null when the dataset has no rules
   */
  async runQualityChecks(
    organizationId: string,
    datasetId: string,
    onBehalfOf: string,
  ): Promise<CatalogQualityCheck | null> {
    if (!this.tokens)
      throw new DomainError(
        'SERVICE_UNAVAILABLE',
        'AIC_SERVICE_SECRET is not configured: the models service cannot call the catalog',
      );
    const authorization = `Bearer ${await this.tokens.getToken(organizationId, ['catalog:read'], { onBehalfOf })}`;
    const data = await callGraphQL<{ runQualityChecks: CatalogQualityCheck | null }>(
      `${this.catalogUrl}/graphql`,
      RUN_QUALITY_CHECKS,
      { datasetId },
      authorization,
      { service: 'catalog', timeoutMs: 300_000 },
    );
    return data.runQualityChecks;
  }

  /** The `Authorization` header for lineage events of an organization (`catalog:write`). */
  lineageAuthorization(organizationId: string): Promise<string> {
    return this.authorization(organizationId, ['catalog:write']);
  }
}
