import type { CompatibilityMode, Incompatibility, ParsedSchema, SchemaFormat } from './schema-types';

/** An earlier version of the subject the candidate is compared with. */
export interface PreviousVersion<P extends ParsedSchema> {
  version: number;
  schema: P;
}

/** A reason the candidate breaks the mode, with the version and direction it breaks. */
export interface CompatibilityViolation extends Incompatibility {
  version: number;
  /** BACKWARD: the candidate cannot read `version`'s data; FORWARD: `version` cannot read the candidate's. */
  direction: 'BACKWARD' | 'FORWARD';
}

export interface CompatibilityResult {
  compatible: boolean;
  /** One human-readable line per violation. */
  messages: string[];
  violations: CompatibilityViolation[];
}

/** Directions a mode checks and whether it compares with every earlier version. */
export function modeRule(mode: CompatibilityMode): { backward: boolean; forward: boolean; transitive: boolean } {
  return {
    backward: mode.startsWith('BACKWARD') || mode.startsWith('FULL'),
    forward: mode.startsWith('FORWARD') || mode.startsWith('FULL'),
    transitive: mode.endsWith('_TRANSITIVE'),
  };
}

/**
 * Checks `candidate` against a subject's earlier versions under `mode`: non-transitive modes
 * compare with the latest version only, transitive ones with all of them; BACKWARD means the
 * candidate reads data written with the earlier schema, FORWARD the reverse, FULL both, NONE nothing.
 */
export function checkCompatibility<P extends ParsedSchema>(
  format: SchemaFormat<P>,
  mode: CompatibilityMode,
  candidate: P,
  previous: PreviousVersion<P>[],
): CompatibilityResult {
  const rule = modeRule(mode);
  const sorted = [...previous].sort((a, b) => a.version - b.version);
  const targets = rule.transitive ? sorted.reverse() : sorted.slice(-1);
  const violations: CompatibilityViolation[] = [];
  for (const prev of targets) {
    if (rule.backward) {
      for (const i of format.readerIncompatibilities(candidate, prev.schema))
        violations.push({ ...i, version: prev.version, direction: 'BACKWARD' });
    }
    if (rule.forward) {
      for (const i of format.readerIncompatibilities(prev.schema, candidate))
        violations.push({ ...i, version: prev.version, direction: 'FORWARD' });
    }
  }
  return {
    compatible: violations.length === 0,
    messages: violations.map(
      (v) =>
        `${v.direction === 'BACKWARD' ? `the new schema cannot read data written with version ${v.version}` : `version ${v.version} cannot read data written with the new schema`}: ${v.path} ${v.message}`,
    ),
    violations,
  };
}
