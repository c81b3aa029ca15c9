// Shared by the jobs tests and by the worker child process they kill (jobs-worker.fixture.ts).
import 'reflect-metadata';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { MikroORM, Opt } from '@mikro-orm/core';
import { createOrm } from '../src/orm';

/** A service's own job row: the source of truth for the API, written fenced by the claim. */
@Entity({ tableName: 'demo_job' })
export class DemoJob {
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 16 })
  state: Opt<string> = 'QUEUED';

  @Property({ type: 'integer' })
  attempt: Opt<number> = 0;

  @Property({ type: 'integer' })
  runs: Opt<number> = 0;
}

/** Opens the database of one simulated process (each replica has its own ORM and connections). */
export async function openJobsOrm(databaseUrl: string): Promise<MikroORM> {
  return createOrm({ databaseUrl, dataDir: '/tmp', serviceName: 'jobs', entities: [DemoJob] });
}
