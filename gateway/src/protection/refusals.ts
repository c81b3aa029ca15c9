import type { ApolloServerPlugin } from '@apollo/server';

/**
 * A subgraph's RATE_LIMITED (identity's per-address credential throttle ...) arrives as an error
 * with `retryAfterSeconds` and status 429 (see ResilientDataSource): give the response the
 * `Retry-After` header clients and proxies act on.
 */
export function retryAfterPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          let seconds = 0;
          for (const e of response.body.singleResult.errors ?? []) {
            const after = e.extensions?.code === 'RATE_LIMITED' ? Number(e.extensions.retryAfterSeconds) : NaN;
            if (Number.isFinite(after) && after > seconds) seconds = Math.ceil(after);
          }
          if (seconds > 0) {
            response.http.status = 429;
            response.http.headers.set('retry-after', String(seconds));
          }
        },
      };
    },
  };
}
