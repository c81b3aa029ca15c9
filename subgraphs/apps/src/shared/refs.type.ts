// Key-only stubs of other subgraphs' entities: declared once in lib/contracts.
export {
  EndpointRef,
  ModelVersionRef,
  OrganizationRef,
  SchemaVersionRef,
  UserRef,
} from '../../../../lib/contracts/stubs';
