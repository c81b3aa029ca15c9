create table "id_sequences" ("name" varchar(255) not null, "value" int not null, constraint "id_sequences_pkey" primary key ("name"));

create table "registry_settings" ("organization_id" varchar(255) not null, "compatibility" varchar(255) not null, constraint "registry_settings_pkey" primary key ("organization_id"));

create table "schema_versions" ("id" varchar(255) not null, "global_id" int not null, "organization_id" varchar(255) not null, "subject_id" varchar(255) not null, "subject" varchar(255) not null, "version" int not null, "type" varchar(255) not null, "schema" text not null, "canonical_schema" text not null, "fingerprint" varchar(255) not null, "references" jsonb not null, "deleted" boolean not null default false, "created_by_id" varchar(255) not null, "created_at" timestamptz not null, constraint "schema_versions_pkey" primary key ("id"));
alter table "schema_versions" add constraint "schema_versions_global_id_unique" unique ("global_id");
create index "schema_versions_organization_id_index" on "schema_versions" ("organization_id");
create index "schema_versions_subject_id_index" on "schema_versions" ("subject_id");
create index "schema_versions_organization_id_fingerprint_index" on "schema_versions" ("organization_id", "fingerprint");
alter table "schema_versions" add constraint "schema_versions_subject_id_version_unique" unique ("subject_id", "version");

create table "subjects" ("id" varchar(255) not null, "organization_id" varchar(255) not null, "name" varchar(255) not null, "compatibility" varchar(255) null, "deleted" boolean not null default false, "next_version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "subjects_pkey" primary key ("id"));
create index "subjects_organization_id_index" on "subjects" ("organization_id");
alter table "subjects" add constraint "subjects_organization_id_name_unique" unique ("organization_id", "name");
