import { configChecksum } from './config-snapshot.builder';
import type { ConfigEntry } from './config-snapshot.builder';

export type ConfigChangeKind = 'ADDED' | 'REMOVED' | 'CHANGED';

/** One key that differs between two versions; secret entries show their reference, never a value. */
export interface ConfigChange {
  key: string;
  change: ConfigChangeKind;
  before: ConfigEntry | null;
  after: ConfigEntry | null;
}

/**
 * Differences between two configurations, key by key, sorted by key. A key whose entry changed
 * kind (value to secret reference) counts as CHANGED.
 * @returns the changed keys only.
 */
export function diffConfig(from: ConfigEntry[], to: ConfigEntry[]): ConfigChange[] {
  const before = new Map(from.map((e) => [e.key, e]));
  const after = new Map(to.map((e) => [e.key, e]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: ConfigChange[] = [];
  for (const key of keys) {
    const a = before.get(key) ?? null;
    const b = after.get(key) ?? null;
    if (!a) changes.push({ key, change: 'ADDED', before: null, after: b });
    else if (!b) changes.push({ key, change: 'REMOVED', before: a, after: null });
    else if (configChecksum([a]) !== configChecksum([b])) changes.push({ key, change: 'CHANGED', before: a, after: b });
  }
  return changes;
}
