import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type express from 'express';
import type { ParseOptions, ValidationContext, ValidationRule } from 'graphql';
import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';
import type Redis from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { TokenVerifier, Viewer } from '../../../lib/src/core';
import { bearerToken } from '../../../lib/src/core';
import { requestState } from '../transport/request-state';

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  maxDirectives: number;
}

/** Each operation limit: its error code and what it counts. */
const LIMITS = {
  maxDepth: { code: 'DEPTH_LIMIT_EXCEEDED', counts: 'depth' },
  maxAliases: { code: 'ALIAS_LIMIT_EXCEEDED', counts: 'aliases' },
  maxCost: { code: 'COST_LIMIT_EXCEEDED', counts: 'cost' },
  maxDirectives: { code: 'DIRECTIVE_LIMIT_EXCEEDED', counts: 'directives' },
  maxTokens: { code: 'TOKEN_LIMIT_EXCEEDED', counts: 'tokens' },
} as const;

/**
 * An operation over one of the limits: a code of its own and `extensions.limit` (and `found` where
 * it was counted); Apollo answers it with HTTP 400 as the validation or parse error it reports.
 */
export class OperationLimitError extends GraphQLError {
  /** @param at where in the operation's text it was found (the token the parser stopped at) */
  constructor(limit: keyof typeof LIMITS, n: number, found?: number, at?: Pick<GraphQLError, 'source' | 'positions'>) {
    const { code, counts } = LIMITS[limit];
    super(
      found === undefined
        ? `The operation has more ${counts} than the limit of ${n}`
        : `The operation's ${counts} is ${found}, over the limit of ${n}`,
      {
        source: at?.source,
        positions: at?.positions,
        extensions: { code, limit: n, ...(found === undefined ? {} : { found }) },
      },
    );
  }
}

/** graphql-armor reports `Syntax Error: … exceeded, found N.`: the limit is reported as our own error instead. */
const reportAs = (limit: keyof typeof LIMITS, n: number) => (ctx: ValidationContext | null, err: GraphQLError) => {
  const found = /found (\d+)/.exec(err.message)?.[1];
  ctx?.reportError(new OperationLimitError(limit, n, found === undefined ? undefined : Number(found)));
};

/** The operation limits as Apollo Server and the gateway's other transports apply them. */
export interface OperationLimitChecks {
  validationRules: ValidationRule[];
  parseOptions: ParseOptions;
  /** The limit an error reports (Apollo's wrapper, the parser's error, or the limit error itself), if any. */
  limitErrorOf: (error: unknown) => OperationLimitError | undefined;
}

/**
 * graphql-armor's validation rules with our limits, each reporting an `OperationLimitError`; the
 * token limit is the parser's own (`parseOptions`: armor's would answer HTTP 500). Field suggestions
 * stay on in armor's sense of "not blocked" because blocking them turns a subgraph timeout into an
 * HTTP 500 (STACK.md); Apollo Server's `hideSchemaDetailsFromClientErrors` hides them instead.
 * Apollo reports every validation error as GRAPHQL_VALIDATION_FAILED and every parse error as
 * GRAPHQL_PARSE_FAILED: `limitErrorOf` finds ours again for the error formatter.
 */
export function operationLimits(limits: OperationLimits): OperationLimitChecks {
  const own = <K extends keyof typeof LIMITS>(limit: K, n: number) => ({
    enabled: true,
    propagateOnRejection: false,
    onReject: [reportAs(limit, n)],
  });
  const { validationRules } = new ApolloArmor({
    blockFieldSuggestion: { enabled: false },
    maxTokens: { enabled: false },
    maxDepth: { ...own('maxDepth', limits.maxDepth), n: limits.maxDepth, ignoreIntrospection: true },
    maxAliases: { ...own('maxAliases', limits.maxAliases), n: limits.maxAliases },
    costLimit: { ...own('maxCost', limits.maxCost), maxCost: limits.maxCost },
    maxDirectives: { ...own('maxDirectives', limits.maxDirectives), n: limits.maxDirectives },
  }).protect();
  const parseOptions: ParseOptions = { maxTokens: limits.maxTokens };
  return { validationRules, parseOptions, limitErrorOf: (error: unknown) => limitErrorOf(error, limits.maxTokens) };
}

/** @returns the offset of the token the parser stops at under `maxTokens`, or -1 when there are not that many */
function tokenLimitOffset(body: string, maxTokens: number): number {
  const lexer = new Lexer(new Source(body));
  try {
    for (let count = 1; ; count++) {
      const token = lexer.advance();
      if (token.kind === TokenKind.EOF) return -1;
      if (count > maxTokens) return token.start;
    }
  } catch {
    return -1;
  }
}

/**
 * The operation limit an error of Apollo's reports, if any: ours as the original of a validation
 * error, or a parse error raised exactly where the parser's token limit stops it.
 */
export function limitErrorOf(error: unknown, maxTokens: number): OperationLimitError | undefined {
  const e = error as GraphQLError | undefined;
  if (e instanceof OperationLimitError) return e;
  if (e?.originalError instanceof OperationLimitError) return e.originalError;
  if (e?.extensions?.code !== 'GRAPHQL_PARSE_FAILED' || !e.source || e.positions?.length !== 1) return undefined;
  return tokenLimitOffset(e.source.body, maxTokens) === e.positions[0]
    ? new OperationLimitError('maxTokens', maxTokens, undefined, e)
    : undefined;
}

export interface RateLimits {
  perUserPerMinute: number;
  perIpPerMinute: number;
}

/**
 * The rate limits on an express route. Over the limit: HTTP 429, `Retry-After`, and
 * `extensions.code: RATE_LIMITED` with `retryAfterSeconds`. The verified viewer is kept on the
 * request so the GraphQL context does not verify the token twice.
 */
export function rateLimitMiddleware(admit: RateLimiter) {
  return async (req: express.Request, res: express.Response, next: express.NextFunction) => {
    let verdict: RateLimitVerdict;
    try {
      verdict = await admit(req.headers.authorization, req.ip ?? req.socket.remoteAddress ?? 'unknown');
    } catch (err) {
      return next(err);
    }
    requestState.of(req).viewer = verdict.viewer;
    if (verdict.retryAfterSeconds === undefined) return next();
    res.setHeader('retry-after', String(verdict.retryAfterSeconds));
    res.status(429).json(rateLimitedBody(verdict.retryAfterSeconds));
  };
}

/** What the rate limits say of one request: its verified viewer (null when anonymous or the token is bad) and, over a limit, when to retry. */
export interface RateLimitVerdict {
  viewer: Viewer | null;
  retryAfterSeconds?: number;
}

/** The 429 answer's body. */
export function rateLimitedBody(retryAfterSeconds: number) {
  return {
    errors: [
      {
        message: `Too many requests; retry in ${retryAfterSeconds}s`,
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds },
      },
    ],
  };
}

/** Counts a request of a caller (Authorization header) from a client IP. */
export type RateLimiter = (authorization: string | undefined, ip: string) => Promise<RateLimitVerdict>;

/**
 * Rate limits per user and per client IP (rate-limiter-flexible; shared through Redis when a client
 * is given so every replica counts together), for the express route and the direct GraphQL path alike.
 */
export function createRateLimiter(
  limits: RateLimits,
  deps: { verify?: TokenVerifier; redis?: Redis; prefix: string },
): RateLimiter {
  const make = (points: number, keyPrefix: string): RateLimiterAbstract | undefined => {
    if (points <= 0) return undefined;
    const memory = new RateLimiterMemory({ points, duration: 60, keyPrefix });
    // While Redis is unreachable, each replica keeps counting on its own instead of failing requests.
    return deps.redis
      ? new RateLimiterRedis({
          storeClient: deps.redis,
          points,
          duration: 60,
          keyPrefix: `${deps.prefix}:${keyPrefix}`,
          insuranceLimiter: memory,
        })
      : memory;
  };
  const perUser = make(limits.perUserPerMinute, 'rl-user');
  const perIp = make(limits.perIpPerMinute, 'rl-ip');
  return async (authorization: string | undefined, ip: string): Promise<RateLimitVerdict> => {
    let viewer: Viewer | null;
    try {
      const token = bearerToken(authorization);
      viewer = token && deps.verify ? await deps.verify(token) : null;
    } catch {
      viewer = null; // the GraphQL context answers UNAUTHENTICATED; here it only counts as anonymous
    }
    try {
      if (perIp) await perIp.consume(ip);
      if (perUser && viewer) await perUser.consume(viewer.id);
      return { viewer };
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      return { viewer, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
    }
  };
}

/**
 * A document without the operation the request names (or with several and no name) is the client's
 * mistake: 400 `OPERATION_RESOLUTION_FAILURE`, before the gateway's planner would fail on it with a 500.
 */
export function operationResolutionPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          const message = request.operationName
            ? `Unknown operation named "${request.operationName}"`
            : 'Must provide an operation name when the document holds several operations';
          throw new GraphQLError(message, {
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } },
          });
        },
      };
    },
  };
}

/** Apollo's persisted query manifest (`apollo-persisted-query-manifest`, version 1). */
interface PersistedQueryManifest {
  format: string;
  version: number;
  operations: { id: string; name?: string; type?: string; body: string }[];
}

/** The operations a safelist allows, by the sha256 of their text. */
export interface Safelist {
  has(source: string): boolean;
}

/** Reads an apollo-persisted-query-manifest; throws when the file is not one. */
export function loadSafelist(manifestPath: string): Safelist {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as PersistedQueryManifest;
  if (manifest.format !== 'apollo-persisted-query-manifest' || !Array.isArray(manifest.operations))
    throw new Error(`${manifestPath} is not an apollo-persisted-query-manifest`);
  const allowed = new Set(manifest.operations.map((op) => createHash('sha256').update(op.body).digest('hex')));
  return { has: (source) => allowed.has(createHash('sha256').update(source).digest('hex')) };
}

/** The error of an operation the safelist does not hold. */
export const notInSafelistError = () =>
  new GraphQLError('This operation is not in the safelist', {
    extensions: { code: 'PERSISTED_QUERY_NOT_IN_SAFELIST', http: { status: 400 } },
  });

/**
 * An optional safelist: only operations whose body is in the manifest run (by full text, by its
 * sha256, or by `extensions.persistedQuery.sha256Hash` of a listed body). Others are refused with
 * `PERSISTED_QUERY_NOT_IN_SAFELIST`.
 */
export function safelistPlugin(safelist: Safelist): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ source }) {
          if (!safelist.has(source)) throw notInSafelistError();
        },
      };
    },
  };
}
