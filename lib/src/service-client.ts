import type { ServiceTokenRequest, ServiceTokenResponse } from '../contracts/routes';
import { INTERNAL_ROUTES, SERVICE_SECRET_HEADER, routeUrl } from '../contracts/routes';
import { DomainError } from './errors';

/**
 * Gets short-lived service tokens from identity (`POST /internal/service-token`) for background work,
 * cached per organization and permission set until shortly before expiry.
 */
export interface ServiceTokenSource {
  /**
   * @param opts.onBehalfOf the user whose job this is: a delegated token with the user's identity and
   *   only these permissions, refused (FORBIDDEN, naming the missing permission) when the user lacks any
   */
  getToken(organizationId: string, permissions: string[], opts?: { onBehalfOf?: string }): Promise<string>;
}

export interface ServiceTokenSourceOptions {
  identityUrl: string;
  service: string;
  secret: string;
  fetch?: typeof fetch;
}

/** @returns a token source; throws at call time when identity refuses */
export function createServiceTokenSource(opts: ServiceTokenSourceOptions): ServiceTokenSource {
  const cache = new Map<string, { token: string; until: number }>();
  const doFetch = opts.fetch ?? fetch;
  return {
    async getToken(organizationId, permissions, tokenOpts) {
      const onBehalfOf = tokenOpts?.onBehalfOf;
      const key = `${organizationId}|${onBehalfOf ?? ''}|${[...permissions].sort().join(',')}`;
      const hit = cache.get(key);
      if (hit && hit.until > Date.now()) return hit.token;
      const request: ServiceTokenRequest = {
        service: opts.service,
        organizationId,
        permissions,
        ...(onBehalfOf ? { onBehalfOf } : {}),
      };
      const res = await doFetch(routeUrl(opts.identityUrl, INTERNAL_ROUTES.serviceToken), {
        method: INTERNAL_ROUTES.serviceToken.method,
        headers: { 'content-type': 'application/json', [SERVICE_SECRET_HEADER]: opts.secret },
        body: JSON.stringify(request),
      });
      // A delegation refused because of the user (gone, or lacking a permission) is the job's answer, told as is.
      if (res.status === 403) throw new DomainError('FORBIDDEN', upstreamMessage(await res.text(), res.statusText));
      if (!res.ok) throw new DomainError('SERVICE_UNAVAILABLE', `identity refused a service token (${res.status})`);
      const body = (await res.json()) as ServiceTokenResponse;
      cache.set(key, { token: body.accessToken, until: Date.now() + Math.max(0, body.expiresIn - 60) * 1000 });
      return body.accessToken;
    },
  };
}

/** A GraphQL error returned by another service, kept with its code (and the other errors as `upstream`). */
export class RemoteGraphQLError extends DomainError {
  constructor(service: string, errors: { message: string; extensions?: { code?: string } }[]) {
    const first = errors[0];
    // Only what a client may see travels on: codes and messages, never the upstream's own extensions.
    const upstream = errors.map((e) => ({
      message: e.message,
      ...(e.extensions?.code ? { code: e.extensions.code } : {}),
    }));
    super(first?.extensions?.code ?? 'UPSTREAM_ERROR', `${service}: ${first?.message ?? 'request failed'}`, {
      upstream,
    });
  }
}

/**
 * The route's own message (`error` or `message` of its JSON answer). Any other body (Express's HTML
 * "Cannot GET /internal/…" page for a path no route matches, a proxy's page) names internal routes
 * and reaches clients: only the status text is kept (issue #16, found by test/security/fuzz.e2e.ts).
 */
function upstreamMessage(text: string, statusText: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    const message =
      typeof body?.error === 'string' ? body.error : typeof body?.message === 'string' ? body.message : undefined;
    if (message) return message;
  } catch {
    // not JSON: not the route's own message
  }
  return statusText || 'no message';
}

/**
 * Calls another service's GraphQL API as the given bearer token.
 * @returns `data`; throws RemoteGraphQLError when the answer has errors
 */
export async function callGraphQL<T = unknown>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  authorization: string,
  opts: { service?: string; timeoutMs?: number; traceparent?: string } = {},
): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization,
      ...(opts.traceparent ? { traceparent: opts.traceparent } : {}),
    },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
  });
  const body = (await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }))) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  // Error messages reach clients: they name the service, never its URL.
  if (body.errors?.length) throw new RemoteGraphQLError(opts.service ?? 'a platform service', body.errors);
  if (!res.ok || body.data === undefined)
    throw new RemoteGraphQLError(opts.service ?? 'a platform service', [{ message: `HTTP ${res.status}` }]);
  return body.data;
}

/**
 * Calls another service's internal HTTP route as the given bearer token.
 * @returns the Response when 2xx; throws DomainError with the status and the route's own message
 * otherwise (the URL stays out of the message, which may reach a client: it is the error's `url`)
 */
export async function callInternal(
  url: string,
  authorization: string,
  init: RequestInit & { timeoutMs?: number; service?: string } = {},
): Promise<Response> {
  const res = await fetch(url, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization },
    signal: init.signal ?? AbortSignal.timeout(init.timeoutMs ?? 60_000),
  });
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    const code =
      res.status === 404
        ? 'NOT_FOUND'
        : res.status === 403
          ? 'FORBIDDEN'
          : res.status === 401
            ? 'UNAUTHENTICATED'
            : 'UPSTREAM_ERROR';
    const error = new DomainError(
      code,
      `${init.service ?? 'a platform service'} answered ${res.status}: ${upstreamMessage(text, res.statusText)}`,
    );
    Object.defineProperty(error, 'url', { value: url, enumerable: false });
    throw error;
  }
  return res;
}
