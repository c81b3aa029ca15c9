import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { DocumentNode, FragmentDefinitionNode, SelectionSetNode } from 'graphql';
import { GraphQLError, Kind, getOperationAST } from 'graphql';
import type { Viewer } from './auth/viewer';

/** The header that carries the shared service secret (`AIC_SERVICE_SECRET`) between platform services. */
export const SERVICE_SECRET_HEADER = 'x-aic-service-secret';

/** Root fields that reveal a subgraph's schema: introspection and the federation SDL. */
const DISCLOSING_FIELDS = new Set(['__schema', '__type', '_service']);
/** Cheap first look: a document can only select these fields by writing their names. */
const MENTIONS_DISCLOSING_FIELD = /(?<![_A-Za-z0-9])(__schema|__type|_service)(?![_A-Za-z0-9])/;

/**
 * Whether the selected operation of a document asks for the schema: `__schema`, `__type` or
 * `_service` on the query root, directly, aliased, or inside (nested) fragments and inline fragments.
 * @returns false for mutations and subscriptions (those roots have no such fields)
 */
export function disclosesSchema(document: DocumentNode, operationName?: string | null): boolean {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation || operation.operation !== 'query') return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode): boolean =>
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return DISCLOSING_FIELDS.has(s.name.value);
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      const fragment = fragments.get(s.name.value);
      return fragment ? visit(fragment.selectionSet) : false;
    });
  return visit(operation.selectionSet);
}

/** Whether a query text may ask for the schema (a fast filter before `disclosesSchema`). */
export function mayDiscloseSchema(query: string): boolean {
  return MENTIONS_DISCLOSING_FIELD.test(query);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** @returns true when `presented` is the configured service secret (compared in constant time) */
export function holdsServiceSecret(presented: unknown, secret: string | undefined): boolean {
  if (!secret || typeof presented !== 'string' || presented === '') return false;
  return timingSafeEqual(digest(presented), digest(secret));
}

/** @returns true when a request context's verified viewer is a service (an identity-issued service token) */
export function isServiceViewer(context: unknown): boolean {
  return (context as { viewer?: Viewer | null } | null)?.viewer?.kind === 'service';
}

/** The refusal of a schema request from a caller without a service credential. */
export function schemaDisclosureRefused(): GraphQLError {
  return new GraphQLError(
    `Introspection and _service need a service credential in production (the service secret in ${SERVICE_SECRET_HEADER}, or a service token)`,
    {
      extensions: { code: 'FORBIDDEN', http: { status: 403 } },
    },
  );
}

/**
 * In production, refuses introspection (`__schema`, `__type`) and `_service` to every caller that
 * holds no service credential: the shared service secret in `x-aic-service-secret`, or a verified
 * token of kind `service` (the context's `viewer`). Outside production it lets everything through.
 */
export function schemaDisclosurePlugin<TContext extends BaseContext>(opts: {
  production: boolean;
  serviceSecret?: string;
}): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      if (!opts.production) return;
      return {
        async didResolveOperation({ document, request, contextValue }) {
          if (!disclosesSchema(document, request.operationName)) return;
          if (
            holdsServiceSecret(request.http?.headers.get(SERVICE_SECRET_HEADER), opts.serviceSecret) ||
            isServiceViewer(contextValue)
          )
            return;
          throw schemaDisclosureRefused();
        },
      };
    },
  };
}
