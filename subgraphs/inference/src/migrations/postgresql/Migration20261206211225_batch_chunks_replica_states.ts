import { Migration } from '@mikro-orm/migrations';

export class Migration20261206211225_batch_chunks_replica_states extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "batch_inference_chunks" ("id" varchar(36) not null, "created_at" timestamptz not null, "job_id" varchar(36) not null, "start" int not null, "end" int not null, "columns" jsonb null, "rows" jsonb not null, "attempt" int not null, constraint "batch_inference_chunks_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "batch_inference_chunks" add constraint "batch_inference_chunks_job_id_start_unique" unique ("job_id", "start");`,
    );

    this.addSql(
      `create table "endpoint_replica_states" ("id" varchar(36) not null, "created_at" timestamptz not null, "endpoint_id" varchar(36) not null, "replica" varchar(255) not null, "status" varchar(255) not null, "reason" text null, "versions" jsonb not null, "heartbeat_at" timestamptz not null, constraint "endpoint_replica_states_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "endpoint_replica_states" add constraint "endpoint_replica_states_endpoint_id_replica_unique" unique ("endpoint_id", "replica");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "batch_inference_chunks" cascade;`);

    this.addSql(`drop table if exists "endpoint_replica_states" cascade;`);
  }
}
