/** One problem with one part of a request, addressed by a path such as `inputs[0].shape`. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Tensors that do not fit the model's signature or are malformed; `issues` lists every problem found. */
export class TensorValidationError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(`invalid tensors: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    this.name = 'TensorValidationError';
  }
}

/** A model version whose session is not loaded and warm (still loading, failed, evicted or unknown). */
export class ModelNotReadyError extends Error {
  constructor(
    readonly version: string,
    readonly reason: string,
  ) {
    super(`model version ${version} is not ready: ${reason}`);
    this.name = 'ModelNotReadyError';
  }
}

/** No routed model version of an endpoint is ready to answer. */
export class NoReadyRouteError extends Error {
  constructor(readonly reasons: Record<string, string>) {
    const detail = Object.entries(reasons)
      .map(([v, r]) => `${v}: ${r}`)
      .join('; ');
    super(`no routed model version is ready${detail ? ` (${detail})` : ''}`);
    this.name = 'NoReadyRouteError';
  }
}

/** A malformed request to a runtime component (bad configuration, bad binary framing). */
export class RuntimeInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'RuntimeInputError';
  }
}

/**
 * onnxruntime failed to run a request that passed validation (a detection model given a size its
 * layers cannot take, say). `inputCaused` is false when the session itself failed (its thread
 * died, memory ran out): the same input may then succeed later.
 */
export class ModelRuntimeError extends Error {
  constructor(
    readonly version: string,
    readonly detail: string,
    readonly inputCaused: boolean,
  ) {
    super(`model version ${version} failed to run: ${detail}`);
    this.name = 'ModelRuntimeError';
  }
}

/** A request names a model version that the endpoint neither routes to nor shadows. */
export class VersionNotServedError extends Error {
  constructor(
    readonly endpoint: string,
    readonly version: string,
  ) {
    super(`endpoint ${endpoint} does not serve model version ${version}`);
    this.name = 'VersionNotServedError';
  }
}
