import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { SyntheticContext } from '../context';
import { SyntheticReport } from '../report/synthetic-report.entity';
import { SyntheticJobStatus } from './job.enums';
import { CreateSyntheticDataJobInput } from './job.input';
import type { JobSnapshot } from './job.snapshot';
import { fromSnapshot } from './job.snapshot';
import { SyntheticColumnRule, SyntheticConstraint } from './job.types';
import { DatasetRef, OrganizationRef, SchemaVersionRef, UserRef } from './refs.type';
import { SyntheticDataJob } from './synthetic-job.entity';

@Resolver(() => SyntheticDataJob)
export class SyntheticDataJobResolver {
  @Query(() => SyntheticDataJob, { nullable: true, description: 'One job of your organization.' })
  async syntheticDataJob(@Arg('id', () => ID) id: string, @Ctx() ctx: SyntheticContext): Promise<SyntheticDataJob> {
    return ctx.services.jobs.get(requestScope(ctx), id);
  }

  @Query(() => [SyntheticDataJob], { nullable: true, description: "Your organization's jobs, newest first." })
  async syntheticDataJobs(
    @Ctx() ctx: SyntheticContext,
    @Arg('status', () => SyntheticJobStatus, { nullable: true }) status?: SyntheticJobStatus,
    @Arg('first', () => Int, { defaultValue: 50 }) first = 50,
  ): Promise<SyntheticDataJob[]> {
    return ctx.services.jobs.list(requestScope(ctx), status, first);
  }

  @Mutation(() => SyntheticDataJob, { description: 'Queues a job; follow it with syntheticDataJobUpdated.' })
  async createSyntheticDataJob(
    @Arg('input', () => CreateSyntheticDataJobInput) input: CreateSyntheticDataJobInput,
    @Ctx() ctx: SyntheticContext,
  ): Promise<SyntheticDataJob> {
    return ctx.services.jobs.create(requestScope(ctx), ctx.authorization ?? '', input);
  }

  @Mutation(() => SyntheticDataJob, { description: 'Cancels a queued or running job.' })
  async cancelSyntheticDataJob(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: SyntheticContext,
  ): Promise<SyntheticDataJob> {
    return ctx.services.jobs.cancel(requestScope(ctx), id);
  }

  @Subscription(() => SyntheticDataJob, {
    subscribe: ({ args, context }) =>
      (context as SyntheticContext).services.jobs.follow(
        requestScope(context as SyntheticContext),
        (args as { id: string }).id,
      ),
    description: 'The job now, then on every change of state or progress until it finishes.',
  })
  syntheticDataJobUpdated(@Arg('id', () => ID) _id: string, @Root() payload: JobSnapshot): SyntheticDataJob {
    return fromSnapshot(payload);
  }

  @FieldResolver(() => DatasetRef, { nullable: true, description: 'The catalog dataset the job learns from.' })
  source(@Root() job: SyntheticDataJob): DatasetRef | null {
    return job.sourceDatasetId ? { id: job.sourceDatasetId } : null;
  }

  @FieldResolver(() => SchemaVersionRef, {
    nullable: true,
    description: 'The schema a schema-driven job generates from.',
  })
  schemaVersion(@Root() job: SyntheticDataJob): SchemaVersionRef | null {
    return job.schemaVersionId ? { id: job.schemaVersionId } : null;
  }

  @FieldResolver(() => DatasetRef, { nullable: true, description: 'The registered output dataset.' })
  output(@Root() job: SyntheticDataJob): DatasetRef | null {
    return job.outputDatasetId ? { id: job.outputDatasetId } : null;
  }

  @FieldResolver(() => SyntheticReport, { nullable: true })
  async report(@Root() job: SyntheticDataJob, @Ctx() ctx: SyntheticContext): Promise<SyntheticReport | null> {
    return ctx.services.reports.ofJob(requestScope(ctx), job);
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
    return job.constraintsJson.map((c) => ({
      column: c.column,
      min: c.min ?? null,
      max: c.max ?? null,
      allowedValues: c.allowedValues ?? null,
    }));
  }

  @FieldResolver(() => [SyntheticColumnRule])
  columns(@Root() job: SyntheticDataJob): SyntheticColumnRule[] {
    return job.columnHandlingJson as SyntheticColumnRule[];
  }
}

@Resolver(() => SyntheticReport)
export class SyntheticReportResolver {
  @Query(() => SyntheticReport, { nullable: true, description: 'One report of your organization.' })
  async syntheticReport(@Arg('id', () => ID) id: string, @Ctx() ctx: SyntheticContext): Promise<SyntheticReport> {
    return ctx.services.reports.get(requestScope(ctx), id);
  }

  @FieldResolver(() => SyntheticDataJob)
  async job(@Root() report: SyntheticReport, @Ctx() ctx: SyntheticContext): Promise<SyntheticDataJob> {
    return ctx.services.jobs.ofReport(requestScope(ctx), report);
  }
}
