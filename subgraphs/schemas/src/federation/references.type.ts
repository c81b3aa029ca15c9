// Key-only stubs of other subgraphs' entities: declared once in lib/contracts.
export { OrganizationRef, UserRef } from '../../../../lib/contracts/stubs';
