import type { RuleMap } from '../../../lib/src/index';
import { hasPermission } from '../../../lib/src/index';

const read = hasPermission('schemas:read');
const write = hasPermission('schemas:write');

/** `schemas:read` reads and validates, `schemas:write` registers, configures and deletes. */
export const permissions: RuleMap = {
  Query: {
    subject: read,
    subjects: read,
    schemaVersion: read,
    checkSchemaCompatibility: read,
    validateAgainstSchema: read,
    registryConfig: read,
  },
  Mutation: {
    registerSchema: write,
    setSubjectCompatibility: write,
    setDefaultCompatibility: write,
    deleteSchemaVersion: write,
    deleteSubject: write,
  },
};
