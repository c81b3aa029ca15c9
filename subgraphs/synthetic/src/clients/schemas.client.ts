import { callInternal } from '../../../../lib/src/index';

/** A registered schema version as schemas' `GET /internal/schema-versions/:id` returns it. */
export interface RegisteredSchemaVersion {
  id: string;
  subject: string;
  version: number;
  type: string;
  schema: unknown;
  organizationId: string;
}

/** The schema registry's internal route. */
export class SchemasClient {
  constructor(private readonly baseUrl: string) {}

  /** One schema version; `schema` may arrive as text, which is parsed. */
  async getSchemaVersion(id: string, authorization: string): Promise<RegisteredSchemaVersion> {
    const res = await callInternal(`${this.baseUrl}/internal/schema-versions/${encodeURIComponent(id)}`, authorization);
    const body = (await res.json()) as RegisteredSchemaVersion;
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
