// Patch semantics for k8s/tools/render.ts: strategic merge as the API server applies it to the fields
// our overlays touch (maps merge, `null` deletes, lists of named items merge by `name`, `$patch: delete`
// removes a named item, other lists replace), and JSON 6902 add/remove/replace.

/** One JSON 6902 operation. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Lists whose items carry a `name` merge by it (containers, env, volumes, volumeMounts, ports). */
function isNamedList(a: unknown[], b: unknown[]): boolean {
  return [...a, ...b].length > 0 && [...a, ...b].every((x) => isObject(x) && typeof x.name === 'string');
}

/** kustomize's order: the patch's items first (merged with their originals), then the untouched originals. */
function mergeNamedList(base: Json[], patch: Json[]): Json[] {
  const out: Json[] = [];
  for (const item of patch) {
    if (item.$patch === 'delete') continue;
    const original = base.find((x) => x.name === item.name);
    out.push(original ? strategicMerge(original, item) : clone(item));
  }
  for (const x of base) if (!patch.some((p) => p.name === x.name)) out.push(clone(x));
  return out;
}

/**
 * Applies a strategic-merge patch.
 * @returns a new object; `base` is not modified
 */
export function strategicMerge<T extends object>(base: T, patch: Json): T {
  const out = clone(base) as Json;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') continue;
    if (value === null) {
      delete out[key];
    } else if (isObject(value) && isObject(out[key])) {
      out[key] = strategicMerge(out[key] as Json, value);
    } else if (Array.isArray(value) && Array.isArray(out[key]) && isNamedList(out[key] as unknown[], value)) {
      out[key] = mergeNamedList(out[key] as Json[], value as Json[]);
    } else {
      out[key] = clone(value);
    }
  }
  return out as T;
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Applies JSON 6902 operations (RFC 6902 add/remove/replace with JSON pointers; `-` appends).
 * @returns a new object; throws when a path does not exist
 */
export function applyJson6902<T extends object>(base: T, ops: JsonPatchOp[]): T {
  const out = clone(base) as Json;
  for (const op of ops) {
    const tokens = op.path.split('/').slice(1).map(unescape);
    const last = tokens.pop();
    if (last === undefined) throw new Error(`JSON patch: empty path`);
    let parent: unknown = out;
    for (const t of tokens) {
      parent = Array.isArray(parent) ? parent[Number(t)] : isObject(parent) ? parent[t] : undefined;
      if (parent === undefined) throw new Error(`JSON patch ${op.op} ${op.path}: "${t}" does not exist`);
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(index, 0, clone(op.value));
      else if (index >= parent.length) throw new Error(`JSON patch ${op.op} ${op.path}: index out of range`);
      else if (op.op === 'remove') parent.splice(index, 1);
      else parent[index] = clone(op.value);
    } else if (isObject(parent)) {
      if (op.op !== 'add' && !(last in parent))
        throw new Error(`JSON patch ${op.op} ${op.path}: "${last}" does not exist`);
      if (op.op === 'remove') delete parent[last];
      else parent[last] = clone(op.value);
    } else {
      throw new Error(`JSON patch ${op.op} ${op.path}: parent is not a container`);
    }
  }
  return out as T;
}
