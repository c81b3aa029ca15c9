import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import type { Logger } from '../../../../lib/src/index';

export const CONFLUENT_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** An error answered with Confluent's body `{ error_code, message }`. */
export class ConfluentHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Sends a Confluent-style JSON body with the registry media type. */
export function sendConfluent(res: Response, status: number, body: unknown): void {
  res.status(status).type(CONFLUENT_CONTENT_TYPE).send(JSON.stringify(body));
}

const BY_CODE: Record<string, [number, number]> = {
  UNAUTHENTICATED: [401, 40101],
  FORBIDDEN: [403, 40301],
  NOT_FOUND: [404, 404],
  BAD_USER_INPUT: [422, 422],
  CONFLICT: [409, 409],
  INCOMPATIBLE_SCHEMA: [409, 409],
};

/**
 * Maps a registry error to Confluent's status and `error_code` (40401 subject not found, 40402
 * version not found, 40403 schema not found, 409 incompatible, 42201 invalid schema, 42202 invalid
 * version ...); unknown errors are logged and answered 500 / 50001 without detail.
 */
export function sendConfluentError(res: Response, err: unknown, logger: Logger): void {
  if (err instanceof ConfluentHttpError)
    return sendConfluent(res, err.status, { error_code: err.errorCode, message: err.message });
  if (
    err instanceof GraphQLError &&
    typeof err.extensions.code === 'string' &&
    Object.hasOwn(BY_CODE, err.extensions.code)
  ) {
    const [status, fallback] = BY_CODE[err.extensions.code]!;
    const code = (err as { confluentCode?: number }).confluentCode ?? fallback;
    const reasons = err.extensions.reasons as string[] | undefined;
    const message = reasons?.length ? `${err.message}, details: ${JSON.stringify(reasons)}` : err.message;
    return sendConfluent(res, status, { error_code: code, message });
  }
  logger.error({ err }, 'Confluent API request failed');
  sendConfluent(res, 500, { error_code: 50001, message: 'Internal server error' });
}
