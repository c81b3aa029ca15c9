import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { userRegExpEngine } from '../../../../lib/src/index';
import { OPENLINEAGE_FACET_SCHEMAS, OPENLINEAGE_SPEC } from './openlineage.schemas';
import type { OpenLineageEvent } from '../../../../lib/src/openlineage/openlineage.types';

const SPEC_ID = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';
const FACET_URL = /\/spec\/facets\/\d+-\d+-\d+\/([A-Za-z]+)\.json(#\/\$defs\/[A-Za-z]+)?$/;

/** One reason an event was refused: a JSON pointer into the event and what is wrong there. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** An OpenLineage document that does not satisfy the spec; `issues` name every failing path. */
export class OpenLineageValidationError extends Error {
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[]) {
    super(`invalid OpenLineage event: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`);
    this.name = 'OpenLineageValidationError';
    this.issues = issues;
  }
}

export type OpenLineageEventKind = 'RunEvent' | 'DatasetEvent' | 'JobEvent';

/**
 * What a lenient ingestion keeps of an event: `event` is the document to fold into the graph (the
 * facets that broke their schema left out), `warnings` every non-fatal violation.
 */
export interface LenientCheck {
  kind: OpenLineageEventKind;
  event: OpenLineageEvent;
  warnings: ValidationIssue[];
}

/**
 * The parts of an event the lineage graph cannot be built without: the document itself, its time
 * and type, the run id, the job's and each dataset's namespace and name. A violation anywhere else
 * (a facet, the producer, the schema URL, an extra property) is non-fatal.
 */
const FATAL_PATH =
  /^(|\/eventTime|\/eventType|\/run|\/run\/runId|\/job|\/job\/(namespace|name)|\/(inputs|outputs)(\/\d+(\/(namespace|name))?)?|\/dataset(\/(namespace|name))?)$/;
/** The facet a violation sits in: `/inputs/0/facets/dataSource/uri` → `/inputs/0/facets/dataSource`. */
const FACET_PATH = /^(.*\/(?:facets|inputFacets|outputFacets))\/([^/]+)(?:\/|$)/;
/** A facet map that is not a map at all (`/run/facets` must be object): left out whole. */
const FACET_MAP_PATH = /^(.*)\/(facets|inputFacets|outputFacets)$/;

/** Validates OpenLineage events and facet documents against the 2-0-2 spec. */
export interface OpenLineageValidator {
  /** Returns the issues of a document against the core spec and the facet schemas its facets name. */
  check(event: unknown): ValidationIssue[];
  /** Throws `OpenLineageValidationError` unless the document is a valid event; returns its kind. */
  assertValid(event: unknown): { kind: OpenLineageEventKind; event: OpenLineageEvent };
  /**
   * Accepts an event whose violations are all non-fatal (see FATAL_PATH): the returned event is a
   * copy without the facets that broke their schema. Throws `OpenLineageValidationError` (naming
   * every issue) when a fatal one means the graph cannot be built from it.
   */
  checkLenient(event: unknown): LenientCheck;
  /** Validates a facet test document (`{ facetName: facet }`) against the named facet schema. */
  checkFacetDocument(facetSchemaName: string, document: unknown): ValidationIssue[];
  /** Names of the facet schemas this validator knows. */
  facetSchemaNames(): string[];
}

function toIssues(errors: ErrorObject[] | null | undefined, prefix = ''): ValidationIssue[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'required'
        ? `/${(e.params as { missingProperty: string }).missingProperty}`
        : e.keyword === 'additionalProperties'
          ? `/${(e.params as { additionalProperty: string }).additionalProperty}`
          : '';
    return { path: `${prefix}${e.instancePath}${extra}`, message: e.message ?? e.keyword };
  });
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The kind an event has by shape, used to report errors of the one definition the producer meant. */
function kindOf(event: Record<string, unknown>): OpenLineageEventKind {
  if ('run' in event) return 'RunEvent';
  if ('dataset' in event && !('job' in event)) return 'DatasetEvent';
  return 'JobEvent';
}

/** Every facet map of an event with its JSON pointer. */
function facetMaps(event: Record<string, unknown>): { pointer: string; facets: Record<string, unknown> }[] {
  const out: { pointer: string; facets: Record<string, unknown> }[] = [];
  const push = (pointer: string, v: unknown): void => {
    if (isObject(v)) out.push({ pointer, facets: v });
  };
  if (isObject(event.run)) push('/run/facets', event.run.facets);
  if (isObject(event.job)) push('/job/facets', event.job.facets);
  if (isObject(event.dataset)) push('/dataset/facets', event.dataset.facets);
  for (const side of ['inputs', 'outputs'] as const) {
    const list = event[side];
    if (!Array.isArray(list)) continue;
    list.forEach((ds, i) => {
      if (!isObject(ds)) return;
      push(`/${side}/${i}/facets`, ds.facets);
      push(
        `/${side}/${i}/${side === 'inputs' ? 'inputFacets' : 'outputFacets'}`,
        ds[side === 'inputs' ? 'inputFacets' : 'outputFacets'],
      );
    });
  }
  return out;
}

/**
 * Builds a validator with ajv (JSON Schema 2020-12) over the core spec and every facet schema.
 * A facet is checked against a facet schema only when its `_schemaURL` names one
 * (`.../spec/facets/<version>/<Name>.json`), the way the spec ties a facet to its definition;
 * facets of unknown or custom schemas only need the base facet fields.
 * `date-time` accepts a missing offset because the reference Python client emits such times.
 * @returns a reusable validator; building it compiles the schemas once.
 */
export function createOpenLineageValidator(): OpenLineageValidator {
  // The spec's patterns run on user events: on lib's linear-time engine like every other pattern.
  const ajv = new Ajv2020({ allErrors: true, strict: false, code: { regExp: userRegExpEngine } });
  addFormats(ajv);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/);
  ajv.addSchema(OPENLINEAGE_SPEC);
  const facetIds = new Map<string, string>();
  for (const [name, schema] of Object.entries(OPENLINEAGE_FACET_SCHEMAS)) {
    ajv.addSchema(schema);
    facetIds.set(name, (schema as { $id: string }).$id);
  }
  const root = ajv.getSchema(SPEC_ID) as ValidateFunction;
  const byKind = new Map<OpenLineageEventKind, ValidateFunction>(
    (['RunEvent', 'DatasetEvent', 'JobEvent'] as const).map((k) => [
      k,
      ajv.getSchema(`${SPEC_ID}#/$defs/${k}`) as ValidateFunction,
    ]),
  );

  const facetValidator = (schemaUrl: unknown): ValidateFunction | undefined => {
    if (typeof schemaUrl !== 'string') return undefined;
    const m = FACET_URL.exec(schemaUrl);
    if (!m) return undefined;
    const id = facetIds.get(m[1]!);
    if (!id) return undefined;
    return ajv.getSchema(`${id}${m[2] ?? `#/$defs/${m[1]}`}`);
  };

  const check = (event: unknown): ValidationIssue[] => {
    if (!isObject(event)) return [{ path: '', message: 'must be object' }];
    const issues: ValidationIssue[] = [];
    if (!root(event))
      issues.push(
        ...(byKind.get(kindOf(event))!(event) ? toIssues(root.errors) : toIssues(byKind.get(kindOf(event))!.errors)),
      );
    for (const { pointer, facets } of facetMaps(event)) {
      for (const [key, facet] of Object.entries(facets)) {
        const validate = isObject(facet) ? facetValidator(facet._schemaURL) : undefined;
        if (validate && !validate(facet)) issues.push(...toIssues(validate.errors, `${pointer}/${key}`));
      }
    }
    return dedupe(issues);
  };

  return {
    check,
    assertValid(event) {
      const issues = check(event);
      if (issues.length > 0) throw new OpenLineageValidationError(issues);
      const e = event as Record<string, unknown>;
      return { kind: kindOf(e), event: e as unknown as OpenLineageEvent };
    },
    checkLenient(event) {
      const issues = check(event);
      const fatal = issues.filter((i) => FATAL_PATH.test(i.path));
      // A refusal names every violation, fatal or not, so one round trip shows all that is wrong.
      if (fatal.length > 0 || !isObject(event)) throw new OpenLineageValidationError(issues);
      const kept = structuredClone(event);
      for (const issue of issues) {
        const whole = FACET_MAP_PATH.exec(issue.path);
        const m = whole ? undefined : FACET_PATH.exec(issue.path);
        const [parent, key] = whole ? [whole[1]!, whole[2]!] : m ? [m[1]!, m[2]!] : [];
        if (parent === undefined || key === undefined) continue;
        const holder = pointerGet(kept, parent);
        if (isObject(holder)) delete holder[decodePointerToken(key)];
      }
      return { kind: kindOf(kept), event: kept as unknown as OpenLineageEvent, warnings: issues };
    },
    checkFacetDocument(facetSchemaName, document) {
      const id = facetIds.get(facetSchemaName);
      if (!id) return [{ path: '', message: `unknown facet schema ${facetSchemaName}` }];
      const validate = ajv.getSchema(id) as ValidateFunction;
      return validate(document) ? [] : dedupe(toIssues(validate.errors));
    },
    facetSchemaNames: () => [...facetIds.keys()],
  };
}

const decodePointerToken = (t: string): string => t.replace(/~1/g, '/').replace(/~0/g, '~');

/** The value at a JSON pointer (`/a/0/b`), or undefined. */
function pointerGet(doc: unknown, pointer: string): unknown {
  let at: unknown = doc;
  for (const token of pointer.split('/').slice(1).map(decodePointerToken)) {
    if (Array.isArray(at)) at = at[Number(token)];
    else if (isObject(at)) at = at[token];
    else return undefined;
  }
  return at;
}
