import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193013_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "applications" ("id" varchar(255) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "organization_id" varchar(255) not null, "name" varchar(255) not null, "description" text null, "owner_id" varchar(255) not null, "environments" jsonb not null, "created_by_id" varchar(255) not null, constraint "applications_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "applications_organization_id_index" on "applications" ("organization_id");`);
    this.addSql(
      `alter table "applications" add constraint "applications_organization_id_name_unique" unique ("organization_id", "name");`,
    );

    this.addSql(
      `create table "config_versions" ("id" varchar(255) not null, "created_at" timestamptz not null, "organization_id" varchar(255) not null, "application_id" varchar(255) not null, "version" int not null, "stored_entries" jsonb not null, "checksum" varchar(255) not null, "schema_version_id" varchar(255) null, "note" text null, "created_by_id" varchar(255) not null, constraint "config_versions_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "config_versions_organization_id_index" on "config_versions" ("organization_id");`);
    this.addSql(`create index "config_versions_application_id_index" on "config_versions" ("application_id");`);
    this.addSql(
      `alter table "config_versions" add constraint "config_versions_application_id_version_unique" unique ("application_id", "version");`,
    );

    this.addSql(
      `create table "deployments" ("id" varchar(255) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "organization_id" varchar(255) not null, "application_id" varchar(255) not null, "environment" varchar(255) not null, "driver" varchar(255) not null, "status" varchar(255) not null, "health" varchar(255) not null, "revision" int not null, "replicas" int not null, "endpoints_state" jsonb not null, "config_version_id" varchar(255) null, "resources" jsonb not null, "scaling" jsonb null, "health_thresholds" jsonb not null, "scaling_history" jsonb not null, "last_decision" jsonb null, "diagnostics_state" jsonb not null, "checked_at" timestamptz null, "created_by_id" varchar(255) not null, constraint "deployments_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "deployments_organization_id_index" on "deployments" ("organization_id");`);
    this.addSql(`create index "deployments_application_id_index" on "deployments" ("application_id");`);

    this.addSql(
      `create table "deployment_events" ("id" varchar(255) not null, "organization_id" varchar(255) not null, "deployment_id" varchar(255) not null, "application_id" varchar(255) not null, "sequence" int not null, "kind" varchar(255) not null, "status" varchar(255) not null, "previous_status" varchar(255) null, "health" varchar(255) not null, "revision" int not null, "replicas" int not null, "message" text not null, "data" jsonb null, "actor_id" varchar(255) null, "at" timestamptz not null, constraint "deployment_events_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "deployment_events_organization_id_index" on "deployment_events" ("organization_id");`);
    this.addSql(`create index "deployment_events_deployment_id_index" on "deployment_events" ("deployment_id");`);
    this.addSql(
      `alter table "deployment_events" add constraint "deployment_events_deployment_id_sequence_unique" unique ("deployment_id", "sequence");`,
    );

    this.addSql(
      `create table "releases" ("id" varchar(255) not null, "created_at" timestamptz not null, "organization_id" varchar(255) not null, "deployment_id" varchar(255) not null, "revision" int not null, "endpoints" jsonb not null, "config_version_id" varchar(255) null, "resources" jsonb not null, "scaling" jsonb null, "replicas" int not null, "rolled_back_from" int null, "created_by_id" varchar(255) not null, constraint "releases_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "releases_organization_id_index" on "releases" ("organization_id");`);
    this.addSql(`create index "releases_deployment_id_index" on "releases" ("deployment_id");`);
    this.addSql(
      `alter table "releases" add constraint "releases_deployment_id_revision_unique" unique ("deployment_id", "revision");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "applications" cascade;`);

    this.addSql(`drop table if exists "config_versions" cascade;`);

    this.addSql(`drop table if exists "deployments" cascade;`);

    this.addSql(`drop table if exists "deployment_events" cascade;`);

    this.addSql(`drop table if exists "releases" cascade;`);
  }
}
