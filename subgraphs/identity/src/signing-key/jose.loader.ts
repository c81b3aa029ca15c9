/**
 * jose 6 is an ES module. Under `module: node16` a static import would compile to `require`, which
 * TypeScript refuses for ESM, so it is loaded with a real dynamic import (Node caches the module).
 */
export type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

/** The jose module. */
export function loadJose(): Promise<Jose> {
  return import('jose');
}
