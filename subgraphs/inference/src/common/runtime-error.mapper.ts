import { BadUserInputError, DomainError } from '../../../../lib/src/index';
import {
  ModelNotReadyError,
  ModelRuntimeError,
  NoReadyRouteError,
  RuntimeInputError,
  TensorValidationError,
  VersionNotServedError,
} from '../runtime/runtime.errors';

/** Turns runtime errors into the API's error codes; anything else is rethrown as is. */
export function toApiError(error: unknown): unknown {
  if (error instanceof TensorValidationError)
    return new BadUserInputError('Input tensors do not fit the model signature', error.issues);
  if (error instanceof RuntimeInputError)
    return new BadUserInputError(error.message, error.field ? [{ field: error.field, message: error.message }] : []);
  if (error instanceof NoReadyRouteError)
    return new DomainError('MODEL_NOT_READY', error.message, { reasons: error.reasons });
  if (error instanceof ModelNotReadyError)
    return new DomainError('MODEL_NOT_READY', error.message, { reasons: { [error.version]: error.reason } });
  if (error instanceof ModelRuntimeError)
    return new DomainError('MODEL_RUNTIME_ERROR', error.message, {
      modelVersion: error.version,
      inputCaused: error.inputCaused,
    });
  if (error instanceof VersionNotServedError)
    return new DomainError('NOT_FOUND', error.message, { modelVersion: error.version });
  return error;
}

/** Runs `fn`, mapping runtime errors to API errors. */
export async function withApiErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toApiError(error);
  }
}
