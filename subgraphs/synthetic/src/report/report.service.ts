import { viewerCan } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { SyntheticDataJob } from '../job/synthetic-job.entity';
import type { SyntheticReportRepository } from './report.repository';
import type { SyntheticReport } from './synthetic-report.entity';

/** Reading the reports jobs leave (the job runner writes them). */
export class SyntheticReportService {
  constructor(private readonly reports: SyntheticReportRepository) {}

  /** A report of the viewer's organization. @throws MikroORM's NotFoundError otherwise */
  get(scope: RequestScope, id: string): Promise<SyntheticReport> {
    return this.reports.getInOrganization(scope.em, scope.viewer.organizationId, id);
  }

  /** The report of a finished job; null before it has one. */
  async ofJob(scope: RequestScope, job: SyntheticDataJob): Promise<SyntheticReport | null> {
    return job.reportId ? this.reports.findInOrganization(scope.em, job.organizationId, job.reportId) : null;
  }

  /** `SyntheticReport` for other subgraphs: null unless it is the viewer's organization's and the viewer has synthetic:read. */
  async visible(scope: RequestScope, id: string): Promise<SyntheticReport | null> {
    return viewerCan(scope.viewer, 'synthetic:read')
      ? this.reports.findInOrganization(scope.em, scope.viewer.organizationId, id)
      : null;
  }
}
