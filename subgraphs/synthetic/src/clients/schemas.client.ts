import type { InternalSchemaVersion } from '../../../../lib/contracts/index';
import { SchemasInternalClient } from '../../../../lib/contracts/index';

/** A registered schema version as schemas' `GET /internal/schema-versions/:id` returns it. */
export type RegisteredSchemaVersion = InternalSchemaVersion;

/** The schema registry's internal route. */
export class SchemasClient {
  private readonly internal: SchemasInternalClient;

  constructor(baseUrl: string) {
    this.internal = new SchemasInternalClient(baseUrl);
  }

  /** One schema version; `schema` may arrive as text, which is parsed. */
  async getSchemaVersion(id: string, authorization: string): Promise<RegisteredSchemaVersion> {
    const body = await this.internal.getSchemaVersion(id, authorization);
    if (typeof body.schema === 'string') {
      try {
        body.schema = JSON.parse(body.schema);
      } catch {
        // Not JSON text: leave it as registered; the generator reports the problem.
      }
    }
    return body;
  }
}
