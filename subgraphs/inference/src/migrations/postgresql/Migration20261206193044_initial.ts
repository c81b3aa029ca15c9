import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193044_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "batch_inference_jobs" ("id" varchar(255) not null, "created_at" timestamptz not null, "organization_id" varchar(255) not null, "endpoint_id" varchar(255) not null, "dataset_id" varchar(255) not null, "mapping" jsonb not null, "passthrough_columns" jsonb not null, "output_dataset_name" varchar(255) not null, "chunk_size" int not null, "status" text check ("status" in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')) not null default 'QUEUED', "rows_done" int not null default 0, "rows_total" int not null default 0, "attempts" int not null default 0, "output_dataset_id" varchar(255) null, "error" text null, "created_by_id" varchar(255) not null, "started_at" timestamptz null, "finished_at" timestamptz null, constraint "batch_inference_jobs_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "batch_inference_jobs_organization_id_index" on "batch_inference_jobs" ("organization_id");`,
    );

    this.addSql(
      `create table "cached_model_versions" ("id" varchar(255) not null, "organization_id" varchar(255) not null, "fetched_at" timestamptz not null, "model_id" varchar(255) not null, "model_name" varchar(255) not null, "version" varchar(255) not null, "sha256" varchar(255) not null, "size" int not null, "format" varchar(255) not null, "declared_signature" jsonb null, "served_signature" jsonb null, constraint "cached_model_versions_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "cached_model_versions_organization_id_index" on "cached_model_versions" ("organization_id");`,
    );

    this.addSql(
      `create table "endpoints" ("id" varchar(255) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "organization_id" varchar(255) not null, "name" varchar(255) not null, "description" text null, "routes" jsonb not null, "shadow_model_version_id" varchar(255) null, "max_batch_size" int not null, "max_queue_delay_ms" double precision not null, "replicas" int not null default 1, "execution_providers" jsonb not null, "warmup_dims" jsonb null, "created_by_id" varchar(255) not null, constraint "endpoints_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "endpoints_organization_id_index" on "endpoints" ("organization_id");`);
    this.addSql(
      `alter table "endpoints" add constraint "endpoints_organization_id_name_unique" unique ("organization_id", "name");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "batch_inference_jobs" cascade;`);

    this.addSql(`drop table if exists "cached_model_versions" cascade;`);

    this.addSql(`drop table if exists "endpoints" cascade;`);
  }
}
