// Key-only stubs of other subgraphs' entities: declared once in lib/contracts.
export { DatasetRef, ModelVersionRef, OrganizationRef, UserRef } from '../../../../lib/contracts/stubs';
