import type { IncomingMessage } from 'node:http';
import { createRequestState } from '../../../lib/src/core';
import type { Viewer } from '../../../lib/src/core';
import type { CheckedPath } from './request-path';

/** What the gateway's stages learn of one HTTP request, for the later stages. */
export interface GatewayRequestState {
  /** `x-request-id` (the client's or a new one), set by the edge handler. */
  requestId: string;
  /** The W3C trace context (the client's or a new trace), set by the edge handler. */
  traceparent: string;
  /** The viewer the rate limiter verified (null when anonymous or the token is bad), so the context does not verify twice. */
  viewer: Viewer | null;
  /** The request target that passed `checkRequestPath`, for the proxies. */
  checkedPath: CheckedPath;
}

/** The gateway's per-request state (a WeakMap keyed by the request). */
export const requestState = createRequestState<GatewayRequestState>();

/** The request id the edge handler gave a request (it runs first on every path: express and direct GraphQL POSTs). */
export function requestIdOf(req: IncomingMessage): string {
  const id = requestState.peek(req)?.requestId;
  if (id === undefined) throw new Error('the edge handler did not run before this stage');
  return id;
}
