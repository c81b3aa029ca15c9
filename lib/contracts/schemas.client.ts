import { callInternal } from '../src/service-client';
import type { CallOptions } from './catalog.client';
import type { InternalSchemaVersion } from './routes';
import { INTERNAL_ROUTES, routeUrl } from './routes';

/** The client of the schema registry's internal route (INTERNAL_ROUTES.schemaVersion), as apps and synthetic use it. */
export class SchemasInternalClient {
  constructor(private readonly baseUrl: string) {}

  /** A schema version of the token's organization, as registered (`schema` may be text). */
  async getSchemaVersion(id: string, authorization: string, opts: CallOptions = {}): Promise<InternalSchemaVersion> {
    const res = await callInternal(routeUrl(this.baseUrl, INTERNAL_ROUTES.schemaVersion, { id }), authorization, {
      ...opts,
    });
    return (await res.json()) as InternalSchemaVersion;
  }
}
