// Catalog classifies with the platform's one PII detector (lib/src/data/pii.ts), CLASSIFY policy.
export type { ColumnSample, PiiCategory as PiiKind, PiiFinding } from '../../../../lib/src/index';
export { classifyPiiColumns as detectPii, maskValue, normaliseColumnName } from '../../../../lib/src/index';
