import { callInternal } from '../src/service-client';
import type { CallOptions } from './catalog.client';
import type { InternalModelVersion } from './routes';
import { INTERNAL_ROUTES, routeUrl } from './routes';

/** The client of the models service's internal routes (INTERNAL_ROUTES.modelVersion*), as inference uses them. */
export class ModelsInternalClient {
  constructor(private readonly baseUrl: string) {}

  /** A model version of the token's organization (another organization's is a 404). */
  async getModelVersion(id: string, authorization: string, opts: CallOptions = {}): Promise<InternalModelVersion> {
    const res = await callInternal(routeUrl(this.baseUrl, INTERNAL_ROUTES.modelVersion, { id }), authorization, {
      ...opts,
    });
    return (await res.json()) as InternalModelVersion;
  }

  /** The ONNX bytes of a model version. */
  async getArtifact(id: string, authorization: string, opts: CallOptions = {}): Promise<Uint8Array> {
    const res = await callInternal(
      routeUrl(this.baseUrl, INTERNAL_ROUTES.modelVersionArtifact, { id }),
      authorization,
      { ...opts },
    );
    return new Uint8Array(await res.arrayBuffer());
  }
}
