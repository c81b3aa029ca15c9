import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193102_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "id_sequences" ("name" varchar(255) not null, "id" varchar(36) null, "created_at" timestamptz null, "value" int not null, constraint "id_sequences_pkey" primary key ("name"));`,
    );

    this.addSql(
      `create table "registry_settings" ("organization_id" varchar(255) not null, "id" varchar(36) null, "created_at" timestamptz null, "compatibility" varchar(255) not null, constraint "registry_settings_pkey" primary key ("organization_id"));`,
    );

    this.addSql(
      `create table "schema_versions" ("id" varchar(255) not null, "created_at" timestamptz not null, "global_id" int not null, "organization_id" varchar(255) not null, "subject_id" varchar(255) not null, "subject" varchar(255) not null, "version" int not null, "type" varchar(255) not null, "schema" text not null, "canonical_schema" text not null, "fingerprint" varchar(255) not null, "references" jsonb not null, "deleted" boolean not null default false, "created_by_id" varchar(255) not null, constraint "schema_versions_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "schema_versions" add constraint "schema_versions_global_id_unique" unique ("global_id");`,
    );
    this.addSql(`create index "schema_versions_organization_id_index" on "schema_versions" ("organization_id");`);
    this.addSql(`create index "schema_versions_subject_id_index" on "schema_versions" ("subject_id");`);
    this.addSql(
      `create index "schema_versions_organization_id_fingerprint_index" on "schema_versions" ("organization_id", "fingerprint");`,
    );
    this.addSql(
      `alter table "schema_versions" add constraint "schema_versions_subject_id_version_unique" unique ("subject_id", "version");`,
    );

    this.addSql(
      `create table "subjects" ("id" varchar(255) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "organization_id" varchar(255) not null, "name" varchar(255) not null, "compatibility" varchar(255) null, "deleted" boolean not null default false, "next_version" int not null default 1, constraint "subjects_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "subjects_organization_id_index" on "subjects" ("organization_id");`);
    this.addSql(
      `alter table "subjects" add constraint "subjects_organization_id_name_unique" unique ("organization_id", "name");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "id_sequences" cascade;`);

    this.addSql(`drop table if exists "registry_settings" cascade;`);

    this.addSql(`drop table if exists "schema_versions" cascade;`);

    this.addSql(`drop table if exists "subjects" cascade;`);
  }
}
