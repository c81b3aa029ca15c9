import type { ApolloGateway } from '@apollo/gateway';
import type {
  DirectiveNode,
  GraphQLCompositeType,
  GraphQLNamedType,
  GraphQLOutputType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import {
  GraphQLError,
  Kind,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  valueFromASTUntyped,
} from 'graphql';

type Variables = Record<string, unknown>;
type JsonObject = Record<string, unknown>;

/**
 * A field's type for the fast path, in plain objects: graphql-js's `isNonNullType` & co. (instanceof
 * checks, with extra work in development mode when false) cost more than reading the answer.
 */
interface Shape {
  nonNull: boolean;
  /** The item shape of a list. */
  list?: Shape;
  /** A leaf's check; neither `list` nor `leaf`: an object, checked with the step's `sub`. */
  leaf?: (value: unknown) => boolean;
}

interface FieldStep {
  kind: 'field';
  key: string;
  /** False for a key Object.prototype has (`constructor` ...): read only as an own property. */
  plainKey: boolean;
  type: GraphQLOutputType;
  shape: Shape;
  /** The selection under a composite type, and that type. */
  sub?: Step[];
  named?: GraphQLCompositeType;
  when?: (variables: Variables) => boolean;
}
interface TypenameStep {
  kind: 'typename';
  key: string;
  when?: (variables: Variables) => boolean;
}
interface FragmentStep {
  kind: 'fragment';
  /** The type condition, if any. */
  type?: GraphQLCompositeType;
  steps: Step[];
  when?: (variables: Variables) => boolean;
}
type Step = FieldStep | TypenameStep | FragmentStep;

/** Checks a subgraph's answer to a passed-through operation against the client's schema. */
export interface AnswerCheck {
  /**
   * The answer as plan execution would shape it: unchanged (the same object) when it fits the
   * schema, else a copy where a null in a non-null position climbs to the nearest nullable parent
   * and a value outside its type (an enum value the schema does not hold or hides, a string for an
   * Int, a list for an object ...) is null, each with an error naming the field and path.
   */
  check(data: JsonObject, variables: Variables): { data: JsonObject | null; errors: GraphQLError[] };
}

class Unsupported extends Error {}

/**
 * Compiles the check of one operation's answers over `schema` (the API schema, which lacks
 * `@inaccessible` elements): done once per operation when the gateway decides to pass it through.
 * The check mirrors @apollo/gateway's result shaping (`computeResponse`), with its messages.
 * @returns the check, or undefined for an operation it cannot check (introspection fields, named
 * fragments, directives other than `@skip`/`@include`), which must then be planned as usual
 */
export function compileAnswerCheck(schema: GraphQLSchema, operation: OperationDefinitionNode): AnswerCheck | undefined {
  const root = schema.getRootType(operation.operation);
  if (!root) return undefined;
  const defaults: Variables = {};
  for (const def of operation.variableDefinitions ?? [])
    if (def.defaultValue) defaults[def.variable.name.value] = valueFromASTUntyped(def.defaultValue);
  let steps: Step[];
  try {
    steps = compile(schema, root, operation.selectionSet, defaults);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
  const typeNamed = (name: unknown): GraphQLNamedType | undefined =>
    typeof name === 'string' ? schema.getType(name) : undefined;
  const isSubtype = (type: GraphQLCompositeType, maybeSub: GraphQLNamedType) =>
    type === maybeSub ||
    (isAbstractType(type) && (isObjectType(maybeSub) || isInterfaceType(maybeSub)) && schema.isSubType(type, maybeSub));
  const applies = (cond: GraphQLCompositeType | undefined, typename: unknown, parent: GraphQLCompositeType) => {
    if (!cond) return true;
    if (typename) {
      const type = typeNamed(typename);
      return !!type && isSubtype(cond, type);
    }
    return isSubtype(cond, parent);
  };

  // Fast path: no allocation, stops at the first problem.
  const cleanObject = (list: Step[], obj: JsonObject, parent: GraphQLCompositeType, vars: Variables): boolean => {
    for (const s of list) {
      if (s.when && !s.when(vars)) continue;
      if (s.kind === 'fragment') {
        if (applies(s.type, obj.__typename, parent) && !cleanObject(s.steps, obj, s.type ?? parent, vars)) return false;
        continue;
      }
      if (s.kind === 'typename') {
        if (!isObjectType(typeNamed(Object.hasOwn(obj, s.key) ? obj[s.key] : undefined))) return false;
        continue;
      }
      const value = s.plainKey || Object.hasOwn(obj, s.key) ? obj[s.key] : undefined;
      if (!cleanValue(s.shape, value, s, vars)) return false;
    }
    return true;
  };
  const cleanValue = (shape: Shape, value: unknown, step: FieldStep, vars: Variables): boolean => {
    if (value === null) return !shape.nonNull;
    if (value === undefined) return false;
    if (shape.leaf) return shape.leaf(value);
    if (shape.list) {
      if (!Array.isArray(value)) return false;
      const item = shape.list;
      for (let i = 0; i < value.length; i++) if (!cleanValue(item, value[i], step, vars)) return false;
      return true;
    }
    if (!step.sub || typeof value !== 'object' || Array.isArray(value)) return false;
    const obj = value as JsonObject;
    const typename = obj.__typename;
    let parent = step.named;
    if (typename !== undefined) {
      const named = typeNamed(typename);
      parent = isCompositeType(named) ? named : undefined;
    }
    return !!parent && cleanObject(step.sub, obj, parent, vars);
  };

  // Slow path, only for an answer that does not fit: a new answer, as @apollo/gateway's computeResponse builds it.
  const fix = (data: JsonObject, vars: Variables) => {
    const errors: GraphQLError[] = [];
    const invalid = (message: string, path: (string | number)[]) =>
      errors.push(new GraphQLError(message, { path: [...path], extensions: { code: 'INVALID_GRAPHQL' } }));
    const describe = (path: (string | number)[], type: GraphQLOutputType, parent: GraphQLCompositeType) => {
      const last = path[path.length - 1];
      return typeof last === 'string'
        ? `field ${parent.name}.${last}`
        : `array element of type ${String(type)} at index ${String(last)}`;
    };
    type Outcome = { updated: unknown; isInvalid?: boolean; hasErrors?: boolean };
    const applySet = (
      list: Step[],
      input: JsonObject,
      output: JsonObject,
      path: (string | number)[],
      parent: GraphQLCompositeType,
    ): boolean => {
      for (const s of list) {
        if (s.when && !s.when(vars)) continue;
        if (s.kind === 'fragment') {
          if (applies(s.type, input.__typename, parent) && applySet(s.steps, input, output, path, s.type ?? parent))
            return true;
          continue;
        }
        if (s.kind === 'typename') {
          if (output[s.key] !== undefined) continue;
          let value = (Object.hasOwn(input, s.key) ? input[s.key] : null) ?? null;
          if (value === null && s.key !== '__typename') value = input.__typename ?? null;
          const type = typeNamed(value) ?? parent;
          if (!isObjectType(type)) return true;
          output[s.key] = type.name;
          continue;
        }
        path.push(s.key);
        const inputValue = (Object.hasOwn(input, s.key) ? input[s.key] : null) ?? null;
        const { updated, isInvalid } = update(output[s.key], s.type, inputValue, s.sub, path, parent);
        output[s.key] = updated;
        path.pop();
        if (isInvalid) return true;
      }
      return false;
    };
    const update = (
      outputValue: unknown,
      type: GraphQLOutputType,
      inputValue: unknown,
      sub: Step[] | undefined,
      path: (string | number)[],
      parent: GraphQLCompositeType,
    ): Outcome => {
      if (outputValue === null || (outputValue !== undefined && !sub)) return { updated: outputValue };
      if (isNonNullType(type)) {
        const inner = update(outputValue, type.ofType, inputValue, sub, path, parent);
        if (inner.updated !== null) return { updated: inner.updated };
        if (!inner.hasErrors)
          invalid(`Cannot return null for non-nullable ${describe(path, type.ofType, parent)}.`, path);
        return { updated: null, isInvalid: true, hasErrors: true };
      }
      if (inputValue === null) return { updated: null };
      if (isListType(type)) {
        if (!Array.isArray(inputValue) || (outputValue !== undefined && !Array.isArray(outputValue))) {
          invalid(`Invalid value found for ${describe(path, type, parent)}.`, path);
          return { updated: null, hasErrors: true };
        }
        const previous = outputValue as unknown[] | undefined;
        let nullify = false;
        let hasErrors = false;
        const updated = inputValue.map((item: unknown, i) => {
          path.push(i);
          const element = update(previous?.[i], type.ofType, item ?? null, sub, path, parent);
          path.pop();
          nullify ||= !!element.isInvalid;
          hasErrors ||= !!element.hasErrors;
          return element.updated;
        });
        return { updated: nullify ? null : updated, hasErrors };
      }
      if (isCompositeType(type)) {
        const typename = (inputValue as JsonObject).__typename;
        // As Apollo, a list where an object belongs is read as an object (its fields are missing).
        if (!sub || typeof inputValue !== 'object') {
          invalid(`Invalid value found for ${describe(path, type, parent)}.`, path);
          return { updated: null, hasErrors: true };
        }
        let objType: GraphQLCompositeType = type;
        if (typename !== undefined) {
          const named = typeNamed(typename);
          if (!isCompositeType(named)) {
            invalid(`Invalid __typename found for object at ${describe(path, type, parent)}.`, path);
            return { updated: null, hasErrors: true };
          }
          objType = named;
        }
        // Without a prototype, as Apollo's: `constructor` as a response key is not Object's.
        const output = (outputValue as JsonObject | undefined) ?? (Object.create(null) as JsonObject);
        const bubbled = applySet(sub, inputValue as JsonObject, output, path, objType);
        return { updated: bubbled ? null : output, hasErrors: bubbled };
      }
      if (isValidLeaf(type, inputValue)) return { updated: inputValue };
      invalid(`Invalid value found for ${describe(path, type, parent)}.`, path);
      return { updated: null, hasErrors: true };
    };
    const output = Object.create(null) as JsonObject;
    const bubbled = applySet(steps, data, output, [], root);
    return { data: bubbled ? null : output, errors };
  };

  return {
    check(data, variables) {
      const vars = { ...defaults, ...variables };
      return cleanObject(steps, data, root, vars) ? { data, errors: [] } : fix(data, vars);
    },
  };
}

function shapeOf(type: GraphQLOutputType): Shape {
  const nonNull = isNonNullType(type);
  const t = nonNull ? type.ofType : type;
  if (isListType(t)) return { nonNull, list: shapeOf(t.ofType) };
  if (isCompositeType(t)) return { nonNull };
  return { nonNull, leaf: leafCheck(t) };
}

/** A leaf type's check, the same verdicts as {@link isValidLeaf} but specialised per type. */
function leafCheck(type: GraphQLOutputType): (value: unknown) => boolean {
  if (isEnumType(type)) {
    const values = new Set(type.getValues().map((v) => v.name));
    return (v) => typeof v === 'string' && values.has(v);
  }
  return (isScalarType(type) && SCALAR_CHECKS.get(type.name)) || (() => true);
}

/** The built-in scalars' checks; a custom scalar takes anything. */
const SCALAR_CHECKS = new Map<string, (value: unknown) => boolean>([
  ['String', (v) => typeof v === 'string'],
  ['Boolean', (v) => typeof v === 'boolean'],
  ['Float', (v) => typeof v === 'number' && Number.isFinite(v)],
  ['Int', (v) => typeof v === 'number' && isIntegerText(v)],
  ['ID', (v) => typeof v === 'string' || (typeof v === 'number' && isIntegerText(v))],
]);

/** Apollo's test for Int and ID numbers: the number prints as an integer (not 1e+21, not 0.5). */
const isIntegerText = (v: number) => Number.isInteger(v) && Math.abs(v) < 1e21;

/** As @apollo/federation-internals' isValidLeafValue: custom scalars take anything. */
function isValidLeaf(type: GraphQLOutputType, value: unknown): boolean {
  const scalar = isScalarType(type) ? type.name : undefined;
  if (scalar !== undefined && !BUILT_IN.has(scalar)) return true;
  if (typeof value === 'boolean') return scalar === 'Boolean';
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (scalar === 'Int' || scalar === 'ID') return /^-?(?:0|[1-9][0-9]*)$/.test(String(value));
    return scalar === 'Float';
  }
  if (typeof value === 'string') {
    if (isEnumType(type)) return type.getValue(value) !== undefined;
    return scalar !== 'Boolean' && scalar !== 'Int' && scalar !== 'Float';
  }
  return false;
}

const BUILT_IN = new Set(['Boolean', 'Int', 'Float', 'String', 'ID']);

function compile(
  schema: GraphQLSchema,
  parent: GraphQLCompositeType,
  set: SelectionSetNode,
  defaults: Variables,
): Step[] {
  const steps: Step[] = [];
  for (const sel of set.selections) {
    const when = condition(sel.directives ?? [], defaults);
    if (sel.kind === Kind.FIELD) {
      const name = sel.name.value;
      const key = sel.alias?.value ?? name;
      if (name === '__typename') {
        steps.push({ kind: 'typename', key, when });
        continue;
      }
      if (name.startsWith('__') || isUnionType(parent)) throw new Unsupported();
      const field = parent.getFields()[name];
      if (!field) throw new Unsupported();
      const type = getNamedType(field.type);
      const named = isCompositeType(type) ? type : undefined;
      if (named && !sel.selectionSet) throw new Unsupported();
      const sub = named ? compile(schema, named, sel.selectionSet!, defaults) : undefined;
      steps.push({
        kind: 'field',
        key,
        plainKey: !(key in Object.prototype),
        type: field.type,
        shape: shapeOf(field.type),
        sub,
        named,
        when,
      });
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : undefined;
      if (type !== undefined && !isCompositeType(type)) throw new Unsupported();
      steps.push({ kind: 'fragment', type, steps: compile(schema, type ?? parent, sel.selectionSet, defaults), when });
    } else throw new Unsupported();
  }
  return steps;
}

/** `@skip(if:)` / `@include(if:)` as a function of the variables; any other directive is unsupported. */
function condition(directives: readonly DirectiveNode[], defaults: Variables) {
  if (!directives.length) return undefined;
  const tests = directives.map((d) => {
    const name = d.name.value;
    const arg = d.arguments?.find((a) => a.name.value === 'if')?.value;
    if ((name !== 'skip' && name !== 'include') || !arg) throw new Unsupported();
    const value =
      arg.kind === Kind.VARIABLE
        ? (vars: Variables) => vars[arg.name.value] ?? defaults[arg.name.value]
        : () => valueFromASTUntyped(arg);
    return name === 'skip' ? (vars: Variables) => value(vars) !== true : (vars: Variables) => value(vars) === true;
  });
  return (vars: Variables) => tests.every((t) => t(vars));
}

/**
 * @apollo/gateway reports the nulls its result shaping makes (a null in a non-null position, a value
 * outside its type) only in `extensions.valueCompletion`, and only when the answer has no other
 * error, so a client reading `errors` never learns why a field is null. This moves them to `errors`,
 * as the GraphQL spec asks and as the pass-through check reports them.
 */
export function reportValueCompletion(gateway: ApolloGateway): void {
  const inner = gateway.executor;
  gateway.executor = async (rc) => {
    const result = await inner(rc);
    const completion: unknown = result.extensions?.valueCompletion;
    if (!Array.isArray(completion) || !completion.length) return result;
    const { valueCompletion: _moved, ...extensions } = result.extensions ?? {};
    return {
      ...result,
      errors: [...(result.errors ?? []), ...(completion as GraphQLError[])],
      extensions: Object.keys(extensions).length ? extensions : undefined,
    };
  };
}
