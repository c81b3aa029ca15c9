import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193110_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "synthetic_data_job" ("id" varchar(255) not null, "created_at" timestamptz not null, "organization_id" varchar(255) not null, "created_by_id" varchar(255) not null, "source_dataset_id" varchar(255) null, "schema_version_id" varchar(255) null, "inline_schema" jsonb null, "synthesizer" varchar(255) not null, "rows" int not null, "seed" int not null, "epsilon" double precision null, "delta" double precision null, "holdout_fraction" double precision null, "constraints_json" jsonb not null, "column_handling_json" jsonb not null, "output_name" varchar(255) null, "status" varchar(255) not null default 'QUEUED', "progress" double precision not null default 0, "stage" varchar(255) not null default 'QUEUED', "error" text null, "output_dataset_id" varchar(255) null, "report_id" varchar(255) null, "attempts" int not null default 0, "cancel_requested" boolean not null default false, "started_at" timestamptz null, "finished_at" timestamptz null, constraint "synthetic_data_job_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "synthetic_data_job_organization_id_index" on "synthetic_data_job" ("organization_id");`);
    this.addSql(`create index "synthetic_data_job_status_index" on "synthetic_data_job" ("status");`);

    this.addSql(
      `create table "synthetic_report" ("id" varchar(255) not null, "created_at" timestamptz not null, "organization_id" varchar(255) not null, "job_id" varchar(255) not null, "rows" int not null, "quality" jsonb null, "privacy" jsonb null, "compliance" jsonb not null, constraint "synthetic_report_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "synthetic_report_organization_id_index" on "synthetic_report" ("organization_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "synthetic_data_job" cascade;`);

    this.addSql(`drop table if exists "synthetic_report" cascade;`);
  }
}
