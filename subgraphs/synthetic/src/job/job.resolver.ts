import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { ServiceContext } from '../../../../lib/src/index';
import { ForbiddenError, requireViewer, viewerCan } from '../../../../lib/src/index';
import { SyntheticReport } from '../report/synthetic-report.entity';
import { SyntheticJobStatus, TERMINAL_STATUSES } from './job.enums';
import { CreateSyntheticDataJobInput } from './job.input';
import type { JobServiceDeps } from './job.service';
import { cancelJob, createJob, requireJob } from './job.service';
import type { JobSnapshot } from './job.snapshot';
import { fromSnapshot, toSnapshot } from './job.snapshot';
import { SyntheticColumnRule, SyntheticConstraint } from './job.types';
import { DatasetRef, OrganizationRef, SchemaVersionRef, UserRef } from './refs.type';
import { SyntheticDataJob } from './synthetic-job.entity';

/** The synthetic subgraph's request context. */
export interface SyntheticContext extends ServiceContext {
  jobs: JobServiceDeps;
}

/** Topic of job updates; the job id is the dynamic topic id. */
export const JOB_UPDATED = 'SYNTHETIC_JOB_UPDATED';

/**
 * Current state first, then live updates: listening starts before the state is read, so no
 * change between the two is lost, and a client that subscribes late still sees the end.
 */
async function* jobUpdates(id: string, ctx: SyntheticContext): AsyncGenerator<JobSnapshot> {
  const viewer = requireViewer(ctx.viewer);
  if (!viewerCan(viewer, 'synthetic:read')) throw new ForbiddenError('Missing permission synthetic:read');
  const iterator = ctx.jobs.updates(id)[Symbol.asyncIterator]();
  try {
    const job = await requireJob(ctx.em, viewer, id);
    yield toSnapshot(job);
    if (TERMINAL_STATUSES.includes(job.status)) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const snapshot = next.value as JobSnapshot;
      if (snapshot.organizationId !== viewer.organizationId) continue;
      yield snapshot;
      if (TERMINAL_STATUSES.includes(snapshot.status)) return;
    }
  } finally {
    await iterator.return?.();
  }
}

@Resolver(() => SyntheticDataJob)
export class SyntheticDataJobResolver {
  @Query(() => SyntheticDataJob, { description: 'One job of your organization.' })
  async syntheticDataJob(@Arg('id', () => ID) id: string, @Ctx() ctx: SyntheticContext): Promise<SyntheticDataJob> {
    return requireJob(ctx.em, requireViewer(ctx.viewer), id);
  }

  @Query(() => [SyntheticDataJob], { description: "Your organization's jobs, newest first." })
  async syntheticDataJobs(
    @Ctx() ctx: SyntheticContext,
    @Arg('status', () => SyntheticJobStatus, { nullable: true }) status?: SyntheticJobStatus,
    @Arg('first', () => Int, { defaultValue: 50 }) first = 50,
  ): Promise<SyntheticDataJob[]> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.em.find(
      SyntheticDataJob,
      { organizationId: viewer.organizationId, ...(status ? { status } : {}) },
      { orderBy: { createdAt: 'desc' }, limit: Math.min(Math.max(first, 1), 500) },
    );
  }

  @Mutation(() => SyntheticDataJob, { description: 'Queues a job; follow it with syntheticDataJobUpdated.' })
  async createSyntheticDataJob(@Arg('input', () => CreateSyntheticDataJobInput) input: CreateSyntheticDataJobInput, @Ctx() ctx: SyntheticContext): Promise<SyntheticDataJob> {
    return createJob(ctx.em, requireViewer(ctx.viewer), ctx.authorization ?? '', input, ctx.jobs);
  }

  @Mutation(() => SyntheticDataJob, { description: 'Cancels a queued or running job.' })
  async cancelSyntheticDataJob(@Arg('id', () => ID) id: string, @Ctx() ctx: SyntheticContext): Promise<SyntheticDataJob> {
    return cancelJob(ctx.em, requireViewer(ctx.viewer), id, ctx.jobs);
  }

  @Subscription(() => SyntheticDataJob, {
    subscribe: ({ args, context }) => jobUpdates((args as { id: string }).id, context as SyntheticContext),
    description: 'The job now, then on every change of state or progress until it finishes.',
  })
  syntheticDataJobUpdated(@Arg('id', () => ID) _id: string, @Root() payload: JobSnapshot): SyntheticDataJob {
    return fromSnapshot(payload);
  }

  @FieldResolver(() => DatasetRef, { nullable: true, description: 'The catalog dataset the job learns from.' })
  source(@Root() job: SyntheticDataJob): DatasetRef | null {
    return job.sourceDatasetId ? { id: job.sourceDatasetId } : null;
  }

  @FieldResolver(() => SchemaVersionRef, { nullable: true, description: 'The schema a schema-driven job generates from.' })
  schemaVersion(@Root() job: SyntheticDataJob): SchemaVersionRef | null {
    return job.schemaVersionId ? { id: job.schemaVersionId } : null;
  }

  @FieldResolver(() => DatasetRef, { nullable: true, description: 'The registered output dataset.' })
  output(@Root() job: SyntheticDataJob): DatasetRef | null {
    return job.outputDatasetId ? { id: job.outputDatasetId } : null;
  }

  @FieldResolver(() => SyntheticReport, { nullable: true })
  async report(@Root() job: SyntheticDataJob, @Ctx() ctx: SyntheticContext): Promise<SyntheticReport | null> {
    return job.reportId ? ctx.em.findOne(SyntheticReport, { id: job.reportId, organizationId: job.organizationId }) : null;
  }

  @FieldResolver(() => UserRef)
  createdBy(@Root() job: SyntheticDataJob): UserRef {
    return { id: job.createdById };
  }

  @FieldResolver(() => OrganizationRef)
  organization(@Root() job: SyntheticDataJob): OrganizationRef {
    return { id: job.organizationId };
  }

  @FieldResolver(() => [SyntheticConstraint])
  constraints(@Root() job: SyntheticDataJob): SyntheticConstraint[] {
    return job.constraintsJson.map((c) => ({ column: c.column, min: c.min ?? null, max: c.max ?? null, allowedValues: c.allowedValues ?? null }));
  }

  @FieldResolver(() => [SyntheticColumnRule])
  columns(@Root() job: SyntheticDataJob): SyntheticColumnRule[] {
    return job.columnHandlingJson as SyntheticColumnRule[];
  }
}

@Resolver(() => SyntheticReport)
export class SyntheticReportResolver {
  @Query(() => SyntheticReport, { description: 'One report of your organization.' })
  async syntheticReport(@Arg('id', () => ID) id: string, @Ctx() ctx: SyntheticContext): Promise<SyntheticReport> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.em.findOneOrFail(SyntheticReport, { id, organizationId: viewer.organizationId });
  }

  @FieldResolver(() => SyntheticDataJob)
  async job(@Root() report: SyntheticReport, @Ctx() ctx: SyntheticContext): Promise<SyntheticDataJob> {
    return ctx.em.findOneOrFail(SyntheticDataJob, { id: report.jobId });
  }
}
