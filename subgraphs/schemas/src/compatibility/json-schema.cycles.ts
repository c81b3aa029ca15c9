import type { JsonSchemaDocument, JsonSchemaObject, SchemaNode } from './json-schema.document';
import { SchemaParseError } from './schema-types';

// Keywords whose subschemas apply to the same instance: a cycle through them alone never ends.
const IN_PLACE_ONE = ['not', 'if', 'then', 'else'];
const IN_PLACE_MANY = ['allOf', 'anyOf', 'oneOf'];
const IN_PLACE_MAP = ['dependentSchemas'];
const REFS = ['$ref', '$dynamicRef', '$recursiveRef'];
// Keywords whose subschemas apply to a part of the instance (a property, an item): recursion through them ends with the data.
const DESCEND_ONE = [
  'additionalProperties',
  'additionalItems',
  'items',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
];
const DESCEND_MANY = ['prefixItems', 'items'];
const DESCEND_MAP = ['properties', 'patternProperties', 'dependencies'];

const isSchema = (v: unknown): v is JsonSchemaObject | boolean =>
  typeof v === 'boolean' || (v !== null && typeof v === 'object' && !Array.isArray(v));

function children(node: SchemaNode, one: string[], many: string[], map: string[]): SchemaNode[] {
  const s = node.schema;
  if (typeof s === 'boolean') return [];
  const out: SchemaNode[] = [];
  const add = (v: unknown) => isSchema(v) && out.push({ schema: v, doc: node.doc });
  for (const k of one) add(s[k]);
  for (const k of many) if (Array.isArray(s[k])) (s[k] as unknown[]).forEach(add);
  for (const k of map) if (s[k] !== null && typeof s[k] === 'object') Object.values(s[k] as object).forEach(add);
  return out;
}

function inPlace(node: SchemaNode): SchemaNode[] {
  const out = children(node, IN_PLACE_ONE, IN_PLACE_MANY, IN_PLACE_MAP);
  const s = node.schema;
  if (typeof s === 'object')
    for (const k of REFS) if (typeof s[k] === 'string') out.push(node.doc.resolve(s[k] as string));
  return out;
}

const keyOf = (n: SchemaNode) => n.schema;

/**
 * Refuses a schema whose evaluation never ends: a `$ref` (or allOf/anyOf/oneOf/not/if …) cycle
 * that comes back to a schema without descending into a property or item. Validators and the
 * compatibility checker would recurse until the stack overflows. Iterative: any size is safe.
 * @throws SchemaParseError naming the `$ref` that closes the cycle
 */
export function assertNoEndlessRefCycle(doc: JsonSchemaDocument): void {
  const reachable = new Map<unknown, SchemaNode>();
  const todo: SchemaNode[] = [{ schema: doc.root, doc }];
  while (todo.length) {
    const n = todo.pop()!;
    if (reachable.has(keyOf(n))) continue;
    reachable.set(keyOf(n), n);
    todo.push(...inPlace(n), ...children(n, DESCEND_ONE, DESCEND_MANY, DESCEND_MAP));
  }
  // Depth-first search over in-place edges only; a node met again while on the path closes a cycle.
  const state = new Map<unknown, 'open' | 'done'>();
  for (const start of reachable.values()) {
    if (state.has(keyOf(start))) continue;
    const stack: { node: SchemaNode; next: SchemaNode[] }[] = [{ node: start, next: inPlace(start) }];
    state.set(keyOf(start), 'open');
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const child = top.next.pop();
      if (!child) {
        state.set(keyOf(top.node), 'done');
        stack.pop();
        continue;
      }
      const seen = state.get(keyOf(child));
      if (seen === 'open') {
        const ref =
          typeof top.node.schema === 'object'
            ? REFS.map((k) => (top.node.schema as JsonSchemaObject)[k]).find((r) => typeof r === 'string')
            : undefined;
        throw new SchemaParseError(
          `The schema never ends: ${ref ? `$ref "${String(ref)}"` : 'a combinator'} leads back to a schema it is part of without descending into a property or item`,
        );
      }
      if (seen === 'done') continue;
      state.set(keyOf(child), 'open');
      stack.push({ node: child, next: inPlace(child) });
    }
  }
}
