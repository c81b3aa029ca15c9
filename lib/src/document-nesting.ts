import { MAX_JSON_DEPTH } from './json-depth';

/**
 * Deepest nesting of `{`, `[` and `(` in an operation's text. graphql-js parses recursively and
 * overflows the stack near 5000 levels. Equal to MAX_JSON_DEPTH: a JSON literal that passes here
 * also passes the JSON scalars, so a gateway never forwards one a subgraph then refuses.
 * @default 100
 */
export const MAX_DOCUMENT_NESTING = MAX_JSON_DEPTH;

/**
 * Deepest nesting of list literals (`[[…]]`) in an operation. The gateway's query planner
 * (@apollo/federation-internals 2.14 `collectVariablesInValue`) walks every list literal twice per
 * level, 2^depth visits: 30 levels stall it for minutes. Deeper JSON goes in variables.
 * @default 8
 */
export const MAX_LIST_LITERAL_NESTING = 8;

/**
 * Scans an operation's text (strings, block strings and comments skipped) for nesting beyond
 * MAX_DOCUMENT_NESTING or MAX_LIST_LITERAL_NESTING, before anything parses or plans it. Linear,
 * no recursion.
 * @returns what is wrong, for the client; undefined when within the limits
 */
export function documentNestingProblem(query: string): string | undefined {
  let depth = 0;
  let lists = 0;
  // Which closers are open, so `]` leaves a list and `}`/`)` do not.
  const open: string[] = [];
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '#') {
      while (i < query.length && query[i] !== '\n' && query[i] !== '\r') i++;
    } else if (c === '"') {
      if (query.startsWith('"""', i)) {
        i += 3;
        while (i < query.length && !query.startsWith('"""', i)) i += query.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        i++;
        while (i < query.length && query[i] !== '"' && query[i] !== '\n') i += query[i] === '\\' ? 2 : 1;
      }
    } else if (c === '{' || c === '[' || c === '(') {
      open.push(c);
      if (++depth > MAX_DOCUMENT_NESTING)
        return `The operation nests braces, brackets or parentheses deeper than ${MAX_DOCUMENT_NESTING} levels`;
      if (c === '[' && ++lists > MAX_LIST_LITERAL_NESTING) {
        return `The operation nests list literals deeper than ${MAX_LIST_LITERAL_NESTING} levels: pass deeply nested values as variables`;
      }
    } else if (c === '}' || c === ']' || c === ')') {
      if (open.pop() === '[') lists--;
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}
