import type { RequestHandler, Response } from 'express';
import type { ValueNode } from 'graphql';
import { Kind } from 'graphql';
import { BadUserInputError } from './errors';

/**
 * Deepest nesting of arrays and objects accepted in user-supplied JSON (GraphQL variables and JSON
 * arguments, REST bodies, schema texts). Code that walks such values recursively (canonical forms,
 * schema compilers, serializers) then stays far from the stack's limit.
 * @default 100
 */
export const MAX_JSON_DEPTH = 100;

/** User-supplied JSON nested deeper than MAX_JSON_DEPTH. */
export class JsonTooDeepError extends BadUserInputError {
  constructor(
    readonly field: string,
    readonly max: number,
    readonly at: string,
  ) {
    super(`${field} nests arrays or objects deeper than ${max} levels (at ${at})`, [
      { field, message: `nests arrays or objects deeper than ${max} levels` },
    ]);
    this.name = 'JsonTooDeepError';
  }
}

interface Frame {
  children: unknown[];
  keys: string[] | null;
  next: number;
  key: string;
}

const isContainer = (v: unknown): v is object => v !== null && typeof v === 'object';

function frameOf(value: object, key: string): Frame {
  if (Array.isArray(value)) return { children: value, keys: null, next: 0, key };
  const keys = Object.keys(value);
  return { children: keys.map((k) => (value as Record<string, unknown>)[k]), keys, next: 0, key };
}

const MAX_SHOWN_KEYS = 6;

function describePath(stack: Frame[], last: string): string {
  const keys = [...stack.slice(1).map((f) => f.key), last];
  const shown = keys.length > MAX_SHOWN_KEYS ? `${keys.slice(0, MAX_SHOWN_KEYS).join('')}…` : keys.join('');
  return `$${shown}`;
}

/**
 * Where a JSON value nests arrays/objects deeper than `max` levels (a scalar is level 0, `[]` is 1),
 * found without recursion, so any depth is safe to check.
 * @default max MAX_JSON_DEPTH
 * @returns a JSONPath-like location of the first too-deep container (`$.a[0]…`), or undefined
 */
export function jsonTooDeepAt(value: unknown, max = MAX_JSON_DEPTH): string | undefined {
  if (!isContainer(value)) return undefined;
  if (max < 1) return '$';
  const stack: Frame[] = [frameOf(value, '')];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next >= top.children.length) {
      stack.pop();
      continue;
    }
    const i = top.next++;
    const child = top.children[i];
    if (!isContainer(child)) continue;
    const key = top.keys ? `.${top.keys[i]}` : `[${i}]`;
    if (stack.length >= max) return describePath(stack, key);
    stack.push(frameOf(child, key));
  }
  return undefined;
}

/**
 * Refuses user-supplied JSON nested deeper than `max` levels.
 * @param field the input named in the error (`data`, `variables.event` ...)
 * @default max MAX_JSON_DEPTH
 * @throws JsonTooDeepError (BAD_USER_INPUT with the field's details)
 */
export function assertJsonDepth(value: unknown, field: string, max = MAX_JSON_DEPTH): void {
  const at = jsonTooDeepAt(value, max);
  if (at !== undefined) throw new JsonTooDeepError(field, max, at);
}

/**
 * Parses JSON text from a user and refuses it nested deeper than `max` levels (JSON.parse itself
 * is iterative; what later walks the value is not).
 * @throws BadUserInputError when the text is not JSON, JsonTooDeepError when it nests too deep
 */
export function parseUserJson(text: string, field: string, max = MAX_JSON_DEPTH): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BadUserInputError(`${field} is not valid JSON: ${(err as Error).message}`, [
      { field, message: 'is not valid JSON' },
    ]);
  }
  assertJsonDepth(value, field, max);
  return value;
}

/**
 * How deep a GraphQL literal nests lists and objects, counted like jsonTooDeepAt, without recursion.
 * @returns whether it nests deeper than `max`
 */
export function literalTooDeep(node: ValueNode, max = MAX_JSON_DEPTH): boolean {
  const stack: [ValueNode, number][] = [[node, 0]];
  while (stack.length) {
    const [n, depth] = stack.pop()!;
    if (n.kind !== Kind.LIST && n.kind !== Kind.OBJECT) continue;
    if (depth + 1 > max) return true;
    if (n.kind === Kind.LIST) for (const v of n.values) stack.push([v, depth + 1]);
    else for (const f of n.fields) stack.push([f.value, depth + 1]);
  }
  return false;
}

/**
 * express middleware for after a JSON body parser: refuses a body nested deeper than MAX_JSON_DEPTH
 * with a JsonTooDeepError (BAD_USER_INPUT, `status` 400) before any handler walks it.
 * @param answer how the route answers the error in its own format; by default `next(err)`
 */
export function refuseDeepJsonBody(answer?: (res: Response, err: JsonTooDeepError) => void): RequestHandler {
  return (req, res, next) => {
    const at = jsonTooDeepAt(req.body);
    if (at === undefined) return next();
    const err = Object.assign(new JsonTooDeepError('body', MAX_JSON_DEPTH, at), { status: 400 });
    if (answer) answer(res, err);
    else next(err);
  };
}
