import type { IncomingMessage } from 'node:http';

/**
 * Typed state kept per HTTP request (request id, trace context, the viewer a middleware verified ...)
 * without writing ad-hoc properties onto the request: a `WeakMap` keyed by the request, so the state
 * goes when the request does. express's request is the node:http one (same object), so the state a
 * node:http handler sets is the one an express middleware reads.
 */
export interface RequestStateStore<T extends object> {
  /** The request's state, created empty on first use. */
  of(req: IncomingMessage): T;
  /** The request's state if anything set it yet. */
  peek(req: IncomingMessage): T | undefined;
}

/** A store of per-request state of type `T` (each field optional: a request gets them as it goes through the stages). */
export function createRequestState<T extends object>(): RequestStateStore<Partial<T>> {
  const states = new WeakMap<IncomingMessage, Partial<T>>();
  return {
    of(req) {
      let state = states.get(req);
      if (!state) {
        state = {};
        states.set(req, state);
      }
      return state;
    },
    peek: (req) => states.get(req),
  };
}
