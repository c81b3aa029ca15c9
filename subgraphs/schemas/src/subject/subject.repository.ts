import type { EntityManager } from '@mikro-orm/core';
import { SchemaVersion } from '../schema-version/schema-version.entity';
import { SubjectEntity } from './subject.entity';

/** The subject aggregate's queries: subjects and their versions. Stateless: the caller's `em` is the unit of work. */
export class SubjectRepository {
  /** A subject by name in an organization; soft-deleted ones only with `includeDeleted`. */
  findByName(
    em: EntityManager,
    organizationId: string,
    name: string,
    includeDeleted = false,
  ): Promise<SubjectEntity | null> {
    return em.findOne(SubjectEntity, { organizationId, name, ...(includeDeleted ? {} : { deleted: false }) });
  }

  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<SubjectEntity | null> {
    return em.findOne(SubjectEntity, { id, organizationId });
  }

  /** An organization's subjects by name. */
  list(em: EntityManager, organizationId: string, includeDeleted = false): Promise<SubjectEntity[]> {
    return em.find(
      SubjectEntity,
      { organizationId, ...(includeDeleted ? {} : { deleted: false }) },
      { orderBy: { name: 'asc' } },
    );
  }

  /** Versions of a subject, oldest first; soft-deleted ones only with `includeDeleted`. */
  versionsOf(em: EntityManager, subjectId: string, includeDeleted = false): Promise<SchemaVersion[]> {
    return em.find(
      SchemaVersion,
      { subjectId, ...(includeDeleted ? {} : { deleted: false }) },
      { orderBy: { version: 'asc' } },
    );
  }

  /** A version by global id, in one organization (soft-deleted ones included). */
  findVersionInOrganization(em: EntityManager, organizationId: string, id: string): Promise<SchemaVersion | null> {
    return em.findOne(SchemaVersion, { id, organizationId });
  }

  /** Version `version` of the subject named `subject` in an organization (soft-deleted ones included). */
  findVersionOfSubject(
    em: EntityManager,
    organizationId: string,
    subject: string,
    version: number,
  ): Promise<SchemaVersion | null> {
    return em.findOne(SchemaVersion, { organizationId, subject, version });
  }

  /** Every version of an organization, by global id: the candidates that may reference another version. */
  versionsInOrganization(em: EntityManager, organizationId: string): Promise<SchemaVersion[]> {
    return em.find(SchemaVersion, { organizationId }, { orderBy: { globalId: 'asc' } });
  }

  /** The highest global id handed out to a version in any organization, or 0. */
  async highestGlobalId(em: EntityManager): Promise<number> {
    return (
      (await em.findOne(SchemaVersion, { globalId: { $gt: 0 } }, { orderBy: { globalId: 'desc' } }))?.globalId ?? 0
    );
  }
}
