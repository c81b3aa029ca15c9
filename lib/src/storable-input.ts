import type http from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type {
  DirectiveNode,
  DocumentNode,
  ExecutionArgs,
  ExecutionResult,
  FragmentDefinitionNode,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import { Kind } from 'graphql';
import express from 'express';
import type { FieldError } from './errors';
import { BadUserInputError } from './errors';
import { JsonTooDeepError, MAX_JSON_DEPTH, jsonTooDeepAt } from './json-depth';

// PostgreSQL refuses U+0000 in text and jsonb, SQLite (libsql) cuts its SQL text there, MongoDB keys
// are C strings; a lone surrogate is not Unicode and every driver silently turns it into U+FFFD.
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex -- the same, every match
const UNSTORABLE_ALL = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** At most this many problems are named in one answer (the input may hold thousands). */
const MAX_REPORTED = 20;

/**
 * Why a string cannot be stored by every database the platform runs on.
 * @returns the reason, or `undefined` when the string is storable
 */
export function unstorableReason(text: string): string | undefined {
  // Two native scans answer for well-formed text (a 1.6 MB base64 tensor: ~0.05 ms against ~2 ms for the
  // pattern, which walks it character by character); the pattern then says which problem comes first.
  if ((text as WellFormedCheck).isWellFormed()) return text.includes('\u0000') ? NUL_REASON : undefined;
  return UNSTORABLE.exec(text)![0] === '\u0000' ? NUL_REASON : SURROGATE_REASON;
}

/** `String.prototype.isWellFormed` (ES2024; in Node 20 and later), which this project's ES2023 types lack. */
type WellFormedCheck = string & { isWellFormed(): boolean };
const NUL_REASON = 'contains a NUL character (U+0000), which cannot be stored';
const SURROGATE_REASON = 'contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored';

/**
 * Every string (object keys included) in a JSON-like value that cannot be stored, walked without
 * recursion so deeply nested input cannot overflow the stack. Paths are built only for problems:
 * a large numeric tensor costs one type check per number.
 * @returns the problems, each named by its path under `root` (`input.tags[2]`), at most 20
 */
export function findUnstorableStrings(value: unknown, root = '', limit = MAX_REPORTED): FieldError[] {
  const problems: FieldError[] = [];
  // Containers met so far, each with its parent's index and its own key or index there.
  const containers: { value: object; parent: number; segment: string | number }[] = [];
  const pathOf = (parent: number, segment: string | number): string => {
    const segments: (string | number)[] = [segment];
    for (let at = parent; at >= 0; at = containers[at]!.parent) segments.push(containers[at]!.segment);
    let path = root;
    for (let i = segments.length - 1; i >= 0; i--) {
      const part = segments[i]!;
      if (part === '') continue;
      path = typeof part === 'number' ? `${path}[${part}]` : path ? `${path}.${part}` : part;
    }
    return path || '(value)';
  };
  const visit = (child: unknown, parent: number, segment: string | number) => {
    if (typeof child === 'string') {
      const reason = unstorableReason(child);
      if (reason) problems.push({ field: pathOf(parent, segment), message: reason });
    } else if (child !== null && typeof child === 'object' && !Buffer.isBuffer(child) && !(child instanceof Date)) {
      containers.push({ value: child, parent, segment });
      pending.push(containers.length - 1);
    }
  };
  const pending: number[] = [];
  visit(value, -1, '');
  while (pending.length > 0 && problems.length < limit) {
    const index = pending.pop()!;
    const current = containers[index]!.value;
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) {
        const item: unknown = current[i];
        if (typeof item === 'string' || (typeof item === 'object' && item !== null)) visit(item, index, i);
      }
    } else {
      for (const key of Object.keys(current)) {
        const reason = unstorableReason(key);
        if (reason) problems.push({ field: pathOf(index, escapeUnstorable(key)), message: `has a key that ${reason}` });
        else visit((current as Record<string, unknown>)[key], index, key);
      }
    }
  }
  return problems.slice(0, limit);
}

/** A key as a field path shows it: NUL and lone surrogates written as `\\uXXXX`. */
function escapeUnstorable(text: string): string {
  return text.replace(UNSTORABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The input a client sent that no database can store: BAD_USER_INPUT naming each field. */
export class UnstorableInputError extends BadUserInputError {
  /** HTTP status for REST routes (GraphQL answers 200 with the error, as for any refused input). */
  readonly status = 400;
  constructor(where: string, fields: FieldError[]) {
    const first = fields[0]!;
    super(
      `Invalid input to ${where}: ${first.field} ${first.message}${fields.length > 1 ? ` (and ${fields.length - 1} more)` : ''}`,
      fields,
    );
  }
}

/**
 * Finds unstorable strings in the arguments of one operation: literals anywhere in its fields,
 * directives and variable defaults, and the variable values those arguments use (JSON scalars
 * and nested input objects included).
 * @returns per root field (or `$variable` default) the problems, each named by argument path (`input.email`)
 */
export function findUnstorableArguments(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): { where: string; fields: FieldError[] }[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const found = new Map<string, FieldError[]>();
  let total = 0;
  const report = (where: string, problems: FieldError[]) => {
    if (problems.length === 0 || total >= MAX_REPORTED) return;
    const list = found.get(where) ?? [];
    for (const p of problems) {
      if (total >= MAX_REPORTED || list.some((q) => q.field === p.field)) continue;
      list.push(p);
      total++;
    }
    found.set(where, list);
  };
  const checkValue = (where: string, node: ValueNode, path: string) => {
    const stack: [ValueNode, string][] = [[node, path]];
    const problems: FieldError[] = [];
    while (stack.length > 0) {
      const [value, at] = stack.pop()!;
      if (value.kind === Kind.STRING) {
        const reason = unstorableReason(value.value);
        if (reason) problems.push({ field: at, message: reason });
      } else if (value.kind === Kind.OBJECT) {
        for (const f of value.fields) stack.push([f.value, `${at}.${f.name.value}`]);
      } else if (value.kind === Kind.LIST) {
        value.values.forEach((v, i) => stack.push([v, `${at}[${i}]`]));
      } else if (value.kind === Kind.VARIABLE && variables) {
        problems.push(...findUnstorableStrings(variables[value.name.value], at));
      }
    }
    report(where, problems);
  };
  const checkDirectives = (where: string, directives: readonly DirectiveNode[] | undefined) => {
    for (const d of directives ?? [])
      for (const arg of d.arguments ?? []) checkValue(`${where} @${d.name.value}`, arg.value, arg.name.value);
  };
  const visited = new Set<string>();
  const walk = (set: SelectionSetNode | undefined, parent: string) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const where = parent ? `${parent}.${selection.name.value}` : selection.name.value;
        for (const arg of selection.arguments ?? []) checkValue(where, arg.value, arg.name.value);
        checkDirectives(where, selection.directives);
        walk(selection.selectionSet, where);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        checkDirectives(parent || operation.operation, selection.directives);
        walk(selection.selectionSet, parent);
      } else {
        checkDirectives(parent || operation.operation, selection.directives);
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visited.has(fragment.name.value)) continue;
        visited.add(fragment.name.value);
        walk(fragment.selectionSet, parent);
      }
    }
  };
  for (const def of operation.variableDefinitions ?? [])
    if (def.defaultValue) checkValue(`$${def.variable.name.value}`, def.defaultValue, 'default');
  checkDirectives(operation.operation, operation.directives);
  walk(operation.selectionSet, '');
  return [...found.entries()].map(([where, fields]) => ({ where, fields }));
}

/** @returns the error refusing an operation's unstorable input, or undefined when all of it is storable */
export function unstorableOperationError(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): UnstorableInputError | undefined {
  const found = findUnstorableArguments(document, operation, variables);
  return found.length === 0
    ? undefined
    : new UnstorableInputError(
        found[0]!.where,
        found.flatMap((f) => f.fields),
      );
}

/**
 * Apollo Server plugin: after the operation is known and before anything executes, refuses the
 * whole operation when any argument holds a string no database can store (NUL, lone surrogates),
 * so no resolver runs and nothing is half-written.
 */
export function storableInputPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(request) {
          if (!request.operation) return;
          const error = unstorableOperationError(request.document, request.operation, request.request.variables);
          if (!error) return;
          // 200, as for any other BAD_USER_INPUT, so a gateway relays the code (Apollo would answer 500).
          error.extensions.http = { status: 200 };
          throw error;
        },
      };
    },
  };
}

/**
 * The same check for graphql-ws (its `execute` and `subscribe` hooks, after parsing and
 * validation): a refused operation answers like a variable that fails coercion, one result with
 * the error, and never runs.
 * @returns that result, or undefined to run the operation
 */
export function refuseUnstorableExecution(args: ExecutionArgs): ExecutionResult | undefined {
  const operations = args.document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = args.operationName
    ? operations.find((o) => o.name?.value === args.operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) return undefined;
  const error = unstorableOperationError(
    args.document,
    operation,
    args.variableValues as Record<string, unknown> | undefined,
  );
  return error ? { errors: [error] } : undefined;
}

/**
 * Express middleware for every REST route of a service: refuses a path or query string carrying a
 * NUL (`%00`), naming `path` or `query.<name>` (an encoded lone surrogate is not valid UTF-8: it
 * decodes to U+FFFD or is refused as malformed already). Passes an UnstorableInputError on.
 */
export function refuseUnstorableUrl(req: http.IncomingMessage, _res: unknown, next: (err?: unknown) => void): void {
  const url = req.url ?? '';
  if (!/%00/i.test(url)) return next();
  const q = url.indexOf('?');
  const nul = 'contains a NUL character (U+0000), which cannot be stored';
  const fields: FieldError[] = /%00/i.test(q < 0 ? url : url.slice(0, q)) ? [{ field: 'path', message: nul }] : [];
  if (q >= 0) {
    for (const [key, value] of new URLSearchParams(url.slice(q + 1))) {
      if (key.includes('\u0000') || value.includes('\u0000'))
        fields.push({ field: `query.${key.replaceAll('\u0000', '\\0')}`, message: nul });
    }
  }
  next(new UnstorableInputError('the request URL', fields.length ? fields : [{ field: 'url', message: nul }]));
}

/**
 * A JSON body parser (express.json with these options) that also refuses a body nested deeper than
 * MAX_JSON_DEPTH and one holding strings no database can store, naming each by its path. Every REST route that reads JSON uses it.
 * @returns one express middleware; errors (400 BAD_USER_INPUT, 413 ...) go to the error handler
 */
export function jsonBody(options?: Parameters<typeof express.json>[0]): express.RequestHandler {
  const parseJson = express.json(options);
  return (req, res, next) =>
    parseJson(req, res, (err?: unknown) => {
      if (err) return next(err);
      const at = jsonTooDeepAt(req.body);
      if (at !== undefined)
        return next(Object.assign(new JsonTooDeepError('body', MAX_JSON_DEPTH, at), { status: 400 }));
      const fields = findUnstorableStrings(req.body, '');
      next(fields.length ? new UnstorableInputError('the request body', fields) : undefined);
    });
}
