import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { OperationLimitError } from './protection';
import type { Scrubber } from './scrub';

export interface ErrorFormatOptions {
  production: boolean;
  scrub: Scrubber;
  /** Finds an operation limit behind Apollo's validation or parse error. */
  limitErrorOf: (error: unknown) => OperationLimitError | undefined;
}

/**
 * The gateway's `formatError`. Operation limits answer their own code and `limit`. In production,
 * internal errors are masked (`code` and `serviceName` stay), and no other error carries the
 * platform's insides: `extensions.response` (a subgraph's URL, status and body), stacks and
 * exceptions are dropped, and internal addresses are scrubbed from messages and extensions. Dev
 * mode keeps the details (without stack traces).
 */
export function createGatewayFormatError(opts: ErrorFormatOptions) {
  return (formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError => {
    const limit = opts.limitErrorOf(error);
    if (limit) {
      const { http: _h, ...extensions } = limit.extensions;
      return { message: limit.message, ...(formatted.locations ? { locations: formatted.locations } : {}), extensions };
    }
    const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
    if (!opts.production) return { ...formatted, extensions };
    if (extensions.code === 'INTERNAL_SERVER_ERROR' || !extensions.code) {
      return {
        ...formatted,
        message: 'Internal server error',
        extensions: {
          code: 'INTERNAL_SERVER_ERROR',
          ...(extensions.serviceName ? { serviceName: extensions.serviceName } : {}),
        },
      };
    }
    return { ...formatted, message: opts.scrub.text(formatted.message), extensions: opts.scrub.data(extensions) };
  };
}

/**
 * The same formatting for errors that do not pass through Apollo Server (federated subscription
 * events, over graphql-ws and multipart).
 * @returns a GraphQLError carrying only what the formatter keeps
 */
export function reformatError(format: ReturnType<typeof createGatewayFormatError>, error: unknown): GraphQLError {
  const e =
    error instanceof GraphQLError
      ? error
      : new GraphQLError((error as Error)?.message ?? String(error), {
          extensions: (error as { extensions?: Record<string, unknown> })?.extensions,
        });
  const out = format(e.toJSON(), e);
  return new GraphQLError(out.message, { path: out.path, extensions: out.extensions });
}
