import { createHash } from 'node:crypto';
import { InvalidInputError } from '../common/invalid-input.error';
import type { FieldProblem } from '../common/invalid-input.error';
import { validateConfigAgainstSchema } from './config-schema.validator';

/** A key with a plain value, or a reference to a secret held elsewhere (a Kubernetes Secret). */
export interface ConfigEntryInput {
  key: string;
  value?: unknown;
  secret?: { name: string; key: string };
}

export type ConfigEntry =
  | { key: string; kind: 'VALUE'; value: unknown }
  | { key: string; kind: 'SECRET'; secretName: string; secretKey: string };

/** An immutable, validated configuration: entries sorted by key and a checksum over them. */
export interface ConfigSnapshot {
  entries: ConfigEntry[];
  checksum: string;
}

// Keys become environment variable names in the workload, so they follow the portable shell rule.
const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
// Kubernetes Secret names are DNS subdomains; keys are [-._a-zA-Z0-9]+.
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
// A plain value under such a key is almost certainly a credential pasted in clear.
const SECRET_LOOKING_KEY = /(password|passwd|secret|token|api_?key|private_?key|credential)/i;
const MAX_ENTRIES = 500;
const MAX_VALUE_BYTES = 64 * 1024;

/**
 * Builds an immutable configuration from entries: keys are unique environment-variable names, each
 * entry is either a JSON value or a secret reference (never both), secret-looking keys must be
 * references, and the values satisfy the optional JSON Schema.
 * @returns the snapshot (entries sorted by key, sha256 checksum).
 * @throws InvalidInputError listing every bad entry as `entries.<i>.<field>` or `values.<key>`.
 */
export function buildConfigSnapshot(
  inputs: ConfigEntryInput[],
  schema?: Record<string, unknown> | null,
): ConfigSnapshot {
  const problems: FieldProblem[] = [];
  if (inputs.length > MAX_ENTRIES) problems.push({ field: 'entries', message: `at most ${MAX_ENTRIES} entries` });
  const seen = new Set<string>();
  const entries: ConfigEntry[] = [];
  inputs.forEach((input, i) => {
    const at = `entries.${i}`;
    if (!KEY.test(input.key)) {
      problems.push({
        field: `${at}.key`,
        message: 'must be a letter or _ followed by letters, digits or _ (at most 128)',
      });
      return;
    }
    if (seen.has(input.key)) problems.push({ field: `${at}.key`, message: `"${input.key}" appears twice` });
    seen.add(input.key);
    const hasValue = input.value !== undefined && input.value !== null;
    if (hasValue === Boolean(input.secret)) {
      problems.push({ field: at, message: 'give either a value or a secret reference' });
      return;
    }
    if (input.secret) {
      if (!SECRET_NAME.test(input.secret.name))
        problems.push({ field: `${at}.secret.name`, message: 'must be a Kubernetes Secret name' });
      if (!SECRET_KEY.test(input.secret.key))
        problems.push({ field: `${at}.secret.key`, message: 'must be a key of the Secret ([-._a-zA-Z0-9]+)' });
      entries.push({ key: input.key, kind: 'SECRET', secretName: input.secret.name, secretKey: input.secret.key });
      return;
    }
    if (SECRET_LOOKING_KEY.test(input.key)) {
      // The message never repeats the value: it may be a real credential.
      problems.push({
        field: `${at}.value`,
        message: `"${input.key}" looks like a secret: store it as a secret reference, not a value`,
      });
      return;
    }
    if (Buffer.byteLength(JSON.stringify(input.value)) > MAX_VALUE_BYTES)
      problems.push({ field: `${at}.value`, message: 'is larger than 64 KiB' });
    entries.push({ key: input.key, kind: 'VALUE', value: input.value });
  });
  if (problems.length === 0 && schema) {
    const values = Object.fromEntries(entries.flatMap((e) => (e.kind === 'VALUE' ? [[e.key, e.value]] : [])));
    problems.push(
      ...validateConfigAgainstSchema(
        values,
        entries.filter((e) => e.kind === 'SECRET').map((e) => e.key),
        schema,
      ),
    );
  }
  if (problems.length > 0) throw new InvalidInputError('invalid configuration', problems);
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { entries, checksum: configChecksum(entries) };
}

/**
 * sha256 over the canonical JSON of the sorted entries: equal configurations have equal checksums.
 * @returns the hex digest.
 */
export function configChecksum(entries: ConfigEntry[]): string {
  return createHash('sha256')
    .update(JSON.stringify(entries.map(canonical)))
    .digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * Splits a snapshot into what a workload receives: plain values as strings (JSON for non-strings)
 * and secret references.
 * @returns values and secret references for the release.
 */
export function configForRelease(snapshot: ConfigSnapshot): {
  values: Record<string, string>;
  secrets: { key: string; secretName: string; secretKey: string }[];
} {
  const values: Record<string, string> = {};
  const secrets: { key: string; secretName: string; secretKey: string }[] = [];
  for (const entry of snapshot.entries) {
    if (entry.kind === 'VALUE')
      values[entry.key] = typeof entry.value === 'string' ? entry.value : JSON.stringify(entry.value);
    else secrets.push({ key: entry.key, secretName: entry.secretName, secretKey: entry.secretKey });
  }
  return { values, secrets };
}
