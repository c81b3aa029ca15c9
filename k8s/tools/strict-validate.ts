/** A kubernetes-models / @kubernetes-models/istio model: constructed from data, validated against its schema. */
export interface ValidatableModel {
  validate(): void;
}

/** One field present in an object that its schema does not declare. */
export interface UnknownField {
  path: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a model and, since the generated validators accept additional properties, also finds
 * fields the schema does not know: it runs the validator over a proxy that records every property the
 * validator reads. Declared properties are read by name; maps (labels, data) are enumerated, which
 * counts every key as read; a key nobody read is not in the schema.
 * @returns the paths of unknown fields (empty when strict-valid); throws the validator's error when invalid
 */
export function validateStrict(model: ValidatableModel): UnknownField[] {
  const read = new WeakMap<object, Set<PropertyKey>>();
  const enumerated = new WeakSet<object>();
  const proxies = new WeakMap<object, object>();
  const track = <T extends object>(target: T): T => {
    const existing = proxies.get(target);
    if (existing) return existing as T;
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        if (!read.has(t)) read.set(t, new Set());
        read.get(t)!.add(key);
        const value = Reflect.get(t, key, receiver === proxy ? t : receiver);
        return typeof value === 'object' && value !== null ? track(value) : value;
      },
      has(t, key) {
        if (!read.has(t)) read.set(t, new Set());
        read.get(t)!.add(key);
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        enumerated.add(t);
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  model.validate.call(track(model));
  const unknown: UnknownField[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`));
      return;
    }
    if (!isPlainObject(value)) return;
    const seen = read.get(value);
    for (const key of Object.keys(value)) {
      if (!enumerated.has(value) && !seen?.has(key)) unknown.push({ path: `${path}.${key}` });
      else walk(value[key], `${path}.${key}`);
    }
  };
  walk(model, '');
  return unknown;
}
