import type { EntityManager } from '@mikro-orm/core';
import { SyntheticReport } from './synthetic-report.entity';

/** The report aggregate's queries. Stateless: the caller's `em` is the unit of work. */
export class SyntheticReportRepository {
  findInOrganization(em: EntityManager, organizationId: string, id: string): Promise<SyntheticReport | null> {
    return em.findOne(SyntheticReport, { id, organizationId });
  }

  /** @throws MikroORM's NotFoundError when the organization has no such report */
  getInOrganization(em: EntityManager, organizationId: string, id: string): Promise<SyntheticReport> {
    return em.findOneOrFail(SyntheticReport, { id, organizationId });
  }

  /** The report of a job, if it has one. */
  findByJob(em: EntityManager, jobId: string): Promise<SyntheticReport | null> {
    return em.findOne(SyntheticReport, { jobId });
  }
}
