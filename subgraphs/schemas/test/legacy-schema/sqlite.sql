create table `id_sequences` (`name` text not null, `value` integer not null, primary key (`name`));

create table `registry_settings` (`organization_id` text not null, `compatibility` text not null, primary key (`organization_id`));

create table `schema_versions` (`id` text not null, `global_id` integer not null, `organization_id` text not null, `subject_id` text not null, `subject` text not null, `version` integer not null, `type` text not null, `schema` text not null, `canonical_schema` text not null, `fingerprint` text not null, `references` json not null, `deleted` integer not null default false, `created_by_id` text not null, `created_at` datetime not null, primary key (`id`));
create unique index `schema_versions_global_id_unique` on `schema_versions` (`global_id`);
create index `schema_versions_organization_id_index` on `schema_versions` (`organization_id`);
create index `schema_versions_subject_id_index` on `schema_versions` (`subject_id`);
create index `schema_versions_organization_id_fingerprint_index` on `schema_versions` (`organization_id`, `fingerprint`);
create unique index `schema_versions_subject_id_version_unique` on `schema_versions` (`subject_id`, `version`);

create table `subjects` (`id` text not null, `organization_id` text not null, `name` text not null, `compatibility` text null, `deleted` integer not null default false, `next_version` integer not null default 1, `created_at` datetime not null, `updated_at` datetime not null, primary key (`id`));
create index `subjects_organization_id_index` on `subjects` (`organization_id`);
create unique index `subjects_organization_id_name_unique` on `subjects` (`organization_id`, `name`);
