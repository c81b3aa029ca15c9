// Key-only stubs of other subgraphs' entities: declared once in lib/contracts.
export { DatasetRef, OrganizationRef, SchemaVersionRef, UserRef } from '../../../../lib/contracts/stubs';
