import { registerEnumType } from 'type-graphql';

export enum GrantSubjectType {
  USER = 'USER',
  ROLE = 'ROLE',
}
registerEnumType(GrantSubjectType, { name: 'GrantSubjectType' });

export enum AccessRequestStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  DENIED = 'DENIED',
}
registerEnumType(AccessRequestStatus, { name: 'AccessRequestStatus' });

export enum AuditAction {
  PII_READ = 'PII_READ',
  ACCESS_GRANTED = 'ACCESS_GRANTED',
  ACCESS_REVOKED = 'ACCESS_REVOKED',
  ACCESS_REQUEST_DECIDED = 'ACCESS_REQUEST_DECIDED',
  RETENTION_APPLIED = 'RETENTION_APPLIED',
}
registerEnumType(AuditAction, { name: 'CatalogAuditAction' });
