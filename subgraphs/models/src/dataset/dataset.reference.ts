// Key-only stubs of other subgraphs' entities: declared once in lib/contracts.
export { DatasetRef, UserRef } from '../../../../lib/contracts/stubs';
