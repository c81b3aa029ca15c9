import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import type { Logger, Viewer } from '../../../../lib/src/index';

const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
};

/** Answers a REST route's error with the status its GraphQL code maps to; unknown errors are masked. */
export function sendError(res: Response, err: unknown, logger: Logger): void {
  // A code may come from another service's answer: only this map's own keys count.
  if (
    err instanceof GraphQLError &&
    typeof err.extensions.code === 'string' &&
    Object.hasOwn(STATUS, err.extensions.code)
  ) {
    const { code, ...rest } = err.extensions;
    res.status(STATUS[code as string]!).json({ error: err.message, code, ...rest });
    return;
  }
  logger.error({ err }, 'internal route failed');
  res.status(500).json({ error: 'Internal server error' });
}

/** The viewer put on `res.locals` by lib's `requireBearer`. */
export const viewerOf = (res: Response): Viewer => res.locals.viewer as Viewer;
