// Synthetic protects with the platform's one PII detector (lib/src/data/pii.ts), PROTECT policy.
export { protectPiiColumn as detectPii } from '../../../../lib/src/data/pii';
