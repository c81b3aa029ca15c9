import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193023_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "access_grant" ("id" varchar(36) not null, "created_at" timestamptz not null, "organization_id" varchar(64) not null, "dataset_id" varchar(36) not null, "subject_type" varchar(8) not null, "subject_id" varchar(128) not null, "level" varchar(8) not null, "granted_by_id" varchar(128) not null, constraint "access_grant_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "access_grant_organization_id_subject_type_subject_id_index" on "access_grant" ("organization_id", "subject_type", "subject_id");`,
    );
    this.addSql(
      `alter table "access_grant" add constraint "access_grant_dataset_id_subject_type_subject_id_unique" unique ("dataset_id", "subject_type", "subject_id");`,
    );

    this.addSql(
      `create table "access_request" ("id" varchar(36) not null, "created_at" timestamptz not null, "organization_id" varchar(64) not null, "dataset_id" varchar(36) not null, "requester_id" varchar(128) not null, "level" varchar(8) not null, "reason" text null, "status" varchar(10) not null default 'PENDING', "decided_by_id" varchar(128) null, "decision_note" text null, "decided_at" timestamptz null, constraint "access_request_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "access_request_dataset_id_status_index" on "access_request" ("dataset_id", "status");`);

    this.addSql(
      `create table "audit_entry" ("id" varchar(36) not null, "organization_id" varchar(64) not null, "dataset_id" varchar(36) null, "actor_id" varchar(128) not null, "action" varchar(32) not null, "details" jsonb null, "at" timestamptz not null, constraint "audit_entry_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "audit_entry_dataset_id_at_index" on "audit_entry" ("dataset_id", "at");`);
    this.addSql(`create index "audit_entry_organization_id_at_index" on "audit_entry" ("organization_id", "at");`);

    this.addSql(
      `create table "column_lineage_edge" ("id" varchar(36) not null, "organization_id" varchar(64) not null, "updated_at" timestamptz not null, "created_at" timestamptz null, "output_node" varchar(36) not null, "output_field" varchar(512) not null, "input_node" varchar(36) not null, "input_field" varchar(512) not null, "transformations" jsonb null, constraint "column_lineage_edge_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "column_lineage_edge_input_node_input_field_index" on "column_lineage_edge" ("input_node", "input_field");`,
    );
    this.addSql(
      `create index "column_lineage_edge_output_node_output_field_index" on "column_lineage_edge" ("output_node", "output_field");`,
    );

    this.addSql(
      `create table "dataset" ("id" varchar(36) not null, "created_at" timestamptz not null, "organization_id" varchar(64) not null, "updated_at" timestamptz not null, "owner_id" varchar(128) not null, "name" varchar(200) not null, "description" text null, "tags" jsonb not null, "classification" varchar(16) not null default 'INTERNAL', "format" varchar(8) not null, "schema_version_id" varchar(64) null, "columns" jsonb not null, "latest_version" int not null default 0, "version_counter" int not null default 0, "quality_score" double precision null, "retention_keep_last" int null, "retention_max_age_days" int null, "search_text" text not null default '', constraint "dataset_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "dataset_organization_id_updated_at_index" on "dataset" ("organization_id", "updated_at");`,
    );
    this.addSql(
      `alter table "dataset" add constraint "dataset_organization_id_name_unique" unique ("organization_id", "name");`,
    );

    this.addSql(
      `create table "dataset_version" ("id" varchar(36) not null, "created_at" timestamptz not null, "organization_id" varchar(64) not null, "dataset_id" varchar(36) not null, "version" int not null, "sha256" varchar(64) not null, "size" int not null, "format" varchar(8) not null, "status" varchar(12) not null default 'PROFILING', "error" text null, "row_count" int null, "profile" jsonb null, "created_by_id" varchar(128) not null, "content_deleted_at" timestamptz null, constraint "dataset_version_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "dataset_version_sha256_index" on "dataset_version" ("sha256");`);
    this.addSql(
      `alter table "dataset_version" add constraint "dataset_version_dataset_id_version_unique" unique ("dataset_id", "version");`,
    );

    this.addSql(
      `create table "lineage_edge" ("id" varchar(36) not null, "organization_id" varchar(64) not null, "updated_at" timestamptz not null, "created_at" timestamptz null, "from_node" varchar(36) not null, "to_node" varchar(36) not null, "last_run_id" varchar(64) null, constraint "lineage_edge_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "lineage_edge_to_node_from_node_index" on "lineage_edge" ("to_node", "from_node");`);
    this.addSql(
      `alter table "lineage_edge" add constraint "lineage_edge_from_node_to_node_unique" unique ("from_node", "to_node");`,
    );

    this.addSql(
      `create table "lineage_event" ("id" varchar(36) not null, "organization_id" varchar(64) not null, "received_at" timestamptz not null, "kind" varchar(16) not null, "event_type" varchar(16) null, "run_id" varchar(64) null, "event_time" timestamptz not null, "payload" jsonb not null, constraint "lineage_event_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "lineage_event_organization_id_run_id_index" on "lineage_event" ("organization_id", "run_id");`,
    );
    this.addSql(
      `create index "lineage_event_organization_id_received_at_index" on "lineage_event" ("organization_id", "received_at");`,
    );

    this.addSql(
      `create table "lineage_node" ("id" varchar(36) not null, "created_at" timestamptz not null, "organization_id" varchar(64) not null, "updated_at" timestamptz not null, "kind" varchar(16) not null, "namespace" varchar(512) not null, "name" varchar(1024) not null, "dataset_id" varchar(36) null, "facets" jsonb null, constraint "lineage_node_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "lineage_node_dataset_id_index" on "lineage_node" ("dataset_id");`);
    this.addSql(
      `alter table "lineage_node" add constraint "lineage_node_organization_id_kind_namespace_name_unique" unique ("organization_id", "kind", "namespace", "name");`,
    );

    this.addSql(
      `create table "lineage_run" ("id" varchar(36) not null, "created_at" timestamptz not null, "organization_id" varchar(64) not null, "run_id" varchar(64) not null, "job_node" varchar(36) not null, "state" varchar(16) not null, "started_at" timestamptz null, "ended_at" timestamptz null, "last_event_time" timestamptz not null, "facets" jsonb null, "input_nodes" jsonb not null, "output_nodes" jsonb not null, constraint "lineage_run_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "lineage_run_organization_id_job_node_index" on "lineage_run" ("organization_id", "job_node");`,
    );

    this.addSql(
      `create table "quality_check" ("id" varchar(36) not null, "organization_id" varchar(64) not null, "dataset_id" varchar(36) not null, "version" int not null, "trigger" varchar(16) not null, "row_count" int not null, "score" double precision null, "results" jsonb not null, "ran_at" timestamptz not null, constraint "quality_check_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "quality_check_dataset_id_ran_at_index" on "quality_check" ("dataset_id", "ran_at");`);

    this.addSql(
      `create table "quality_rule" ("id" varchar(36) not null, "created_at" timestamptz not null, "organization_id" varchar(64) not null, "dataset_id" varchar(36) not null, "type" varchar(40) not null, "column" varchar(512) null, "min_value" double precision null, "max_value" double precision null, "regex" text null, "max_age_seconds" double precision null, constraint "quality_rule_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "quality_rule_dataset_id_index" on "quality_rule" ("dataset_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "access_grant" cascade;`);

    this.addSql(`drop table if exists "access_request" cascade;`);

    this.addSql(`drop table if exists "audit_entry" cascade;`);

    this.addSql(`drop table if exists "column_lineage_edge" cascade;`);

    this.addSql(`drop table if exists "dataset" cascade;`);

    this.addSql(`drop table if exists "dataset_version" cascade;`);

    this.addSql(`drop table if exists "lineage_edge" cascade;`);

    this.addSql(`drop table if exists "lineage_event" cascade;`);

    this.addSql(`drop table if exists "lineage_node" cascade;`);

    this.addSql(`drop table if exists "lineage_run" cascade;`);

    this.addSql(`drop table if exists "quality_check" cascade;`);

    this.addSql(`drop table if exists "quality_rule" cascade;`);
  }
}
