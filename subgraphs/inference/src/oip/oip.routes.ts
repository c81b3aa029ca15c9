import type { EntityManager, MikroORM } from '@mikro-orm/core';
import express from 'express';
import type { TokenVerifier, Viewer } from '../../../../lib/src/index';
import { requireBearer } from '../../../../lib/src/index';
import { toApiError } from '../common/runtime-error.mapper';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { Endpoint } from '../endpoint/endpoint.entity';
import { endpointStatus } from '../endpoint/endpoint.view';
import type { InferenceServices } from '../inference.services';
import type { ModelSignature, TensorSpec } from '../runtime/model-signature';
import { buildInferResponse, INFERENCE_HEADER, parseInferRequest, wantsBinary } from '../runtime/oip-binary.codec';

export interface OipRouteDeps {
  orm: MikroORM;
  verify: TokenVerifier;
  services: InferenceServices;
  bodyLimitBytes: number;
  isReady: () => boolean;
  version: string;
}

const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  MODEL_NOT_READY: 503,
};

function fail(res: express.Response, error: unknown): void {
  const mapped = toApiError(error) as {
    message?: string;
    extensions?: { code?: string; fields?: { field: string; message: string }[]; inputCaused?: boolean };
  };
  const code = mapped.extensions?.code;
  // onnxruntime's own message is the answer (it names the node and the shapes); 400 when the input made it fail.
  if (code === 'MODEL_RUNTIME_ERROR') {
    res.status(mapped.extensions?.inputCaused ? 400 : 500).json({ error: String(mapped.message) });
    return;
  }
  const status = (code && Object.hasOwn(STATUS, code) ? STATUS[code] : undefined) ?? 500;
  const details = mapped.extensions?.fields?.map((f) => `${f.field}: ${f.message}`).join('; ');
  res.status(status).json({
    error:
      status === 500 ? 'Internal server error' : details ? `${mapped.message}: ${details}` : String(mapped.message),
  });
}

function specJson(s: TensorSpec) {
  return { name: s.name, datatype: s.datatype, shape: s.shape.map((d) => (typeof d === 'number' ? d : -1)) };
}

function permission(viewer: Viewer, p: string): void {
  if (!viewer.permissions.includes(p))
    throw Object.assign(new Error(`Missing permission ${p}`), { extensions: { code: 'FORBIDDEN' } });
}

/**
 * Open Inference Protocol v2 REST routes; `{name}` is an endpoint name (or id) of the caller's
 * organization and `{version}` one of its model version ids. Errors answer `{ "error": "..." }`.
 */
export function mountOipRoutes(app: express.Express, deps: OipRouteDeps): void {
  const auth = requireBearer(deps.verify);
  const withEndpoint = async (req: express.Request, res: express.Response, perm: string): Promise<Endpoint> => {
    const viewer = res.locals.viewer as Viewer;
    permission(viewer, perm);
    const name = String(req.params.name);
    // The fork is made when the endpoint is looked up (the prediction path mostly reuses a lookup).
    let em: EntityManager | undefined;
    const scope: RequestScope = {
      viewer,
      get em() {
        return (em ??= deps.orm.em.fork());
      },
    };
    return perm === 'inference:invoke'
      ? deps.services.endpoints.forPrediction(scope, name)
      : deps.services.endpoints.get(scope, name);
  };
  const serving = deps.services.serving;
  const signatureFor = (endpoint: Endpoint, version?: string): ModelSignature | undefined => {
    const candidates = version ? [version] : endpoint.routes.map((r) => r.modelVersionId);
    for (const v of candidates) {
      try {
        return serving.signatureOf(v);
      } catch {
        continue;
      }
    }
    return undefined;
  };

  app.get('/v2/health/live', (_req, res) => {
    res.json({ live: true });
  });
  app.get('/v2/health/ready', (_req, res) => {
    const ready = deps.isReady();
    res.status(ready ? 200 : 503).json({ ready });
  });
  app.get('/v2', (_req, res) => {
    res.json({ name: 'aic-inference', version: deps.version, extensions: ['binary_tensor_data'] });
  });

  const metadata = async (req: express.Request, res: express.Response) => {
    try {
      const endpoint = await withEndpoint(req, res, 'inference:read');
      const version = req.params.version ? String(req.params.version) : undefined;
      if (version && !serving.versionsOf(endpoint).some((v) => v.id === version)) {
        res.status(404).json({ error: `endpoint ${endpoint.name} does not serve model version ${version}` });
        return;
      }
      const signature = signatureFor(endpoint, version);
      res.json({
        name: endpoint.name,
        versions: version ? [version] : endpoint.routes.map((r) => r.modelVersionId),
        platform: 'onnxruntime_onnx',
        inputs: signature?.inputs.map(specJson) ?? [],
        outputs: signature?.outputs.map(specJson) ?? [],
      });
    } catch (error) {
      fail(res, error);
    }
  };
  app.get('/v2/models/:name', auth, metadata);
  app.get('/v2/models/:name/versions/:version', auth, metadata);

  const ready = async (req: express.Request, res: express.Response) => {
    try {
      const endpoint = await withEndpoint(req, res, 'inference:read');
      const statuses = serving.versionStatuses(endpoint);
      let isReady: boolean;
      let reason: string | null;
      if (req.params.version) {
        const s = statuses.find((v) => v.key === req.params.version);
        if (!s) {
          res
            .status(404)
            .json({ error: `endpoint ${endpoint.name} does not serve model version ${req.params.version}` });
          return;
        }
        isReady = s.state === 'READY';
        reason = isReady ? null : `${s.state.toLowerCase()}: ${s.reason ?? ''}`;
      } else {
        const st = endpointStatus(endpoint, statuses);
        isReady = st.status === 'READY';
        reason = st.reason;
      }
      res
        .status(isReady ? 200 : 503)
        .json(isReady ? { name: endpoint.name, ready: true } : { name: endpoint.name, ready: false, error: reason });
    } catch (error) {
      fail(res, error);
    }
  };
  app.get('/v2/models/:name/ready', auth, ready);
  app.get('/v2/models/:name/versions/:version/ready', auth, ready);

  const raw = express.raw({ type: () => true, limit: deps.bodyLimitBytes });
  const infer = async (req: express.Request, res: express.Response) => {
    try {
      const endpoint = await withEndpoint(req, res, 'inference:invoke');
      const headerValue = req.headers[INFERENCE_HEADER];
      const headerLength = headerValue === undefined ? undefined : Number(headerValue);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const request = parseInferRequest(body, headerLength);
      const version = req.params.version ? String(req.params.version) : undefined;
      const routingKey =
        typeof request.parameters?.routing_key === 'string' ? request.parameters.routing_key : undefined;
      const result = await serving.predict(endpoint, request.inputs, routingKey, req.headers.authorization, version);
      const wanted = request.outputs?.map((o) => o.name);
      const unknown = wanted?.filter((n) => !result.outputs.some((o) => o.name === n)) ?? [];
      if (unknown.length) {
        res.status(400).json({ error: `unknown outputs: ${unknown.join(', ')}` });
        return;
      }
      const outputs = wanted ? result.outputs.filter((o) => wanted.includes(o.name)) : result.outputs;
      const response = buildInferResponse(
        { model_name: endpoint.name, model_version: result.version, ...(request.id ? { id: request.id } : {}) },
        outputs,
        (n) => wantsBinary(request, n),
      );
      if (response.headerLength !== undefined) {
        res.setHeader(INFERENCE_HEADER, String(response.headerLength));
        res.setHeader('content-type', 'application/octet-stream');
      } else {
        res.setHeader('content-type', 'application/json');
      }
      res.send(response.body);
    } catch (error) {
      fail(res, error);
    }
  };
  app.post('/v2/models/:name/infer', auth, raw, infer);
  app.post('/v2/models/:name/versions/:version/infer', auth, raw, infer);
}
