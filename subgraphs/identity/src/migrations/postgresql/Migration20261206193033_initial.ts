import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193033_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_events" ("id" uuid not null, "created_at" timestamptz not null, "type" varchar(64) not null, "success" boolean not null, "organization_id" varchar(64) null, "actor_id" varchar(100) null, "actor_kind" varchar(20) not null default 'anonymous', "target_type" varchar(40) null, "target_id" varchar(100) null, "ip_address" varchar(64) null, "details" jsonb not null, constraint "audit_events_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "audit_events_organization_id_created_at_index" on "audit_events" ("organization_id", "created_at");`,
    );

    this.addSql(
      `create table "organizations" ("id" uuid not null, "created_at" timestamptz not null, "slug" varchar(63) not null, "name" varchar(200) not null, constraint "organizations_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "organizations" add constraint "organizations_slug_unique" unique ("slug");`);

    this.addSql(
      `create table "revocations" ("id" uuid not null, "created_at" timestamptz not null, "kind" varchar(20) not null, "subject_id" varchar(100) not null, "issued_before" timestamptz null, "until" timestamptz not null, "reason" varchar(50) not null, constraint "revocations_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "revocations_until_index" on "revocations" ("until");`);
    this.addSql(
      `alter table "revocations" add constraint "revocations_kind_subject_id_unique" unique ("kind", "subject_id");`,
    );

    this.addSql(
      `create table "roles" ("id" uuid not null, "created_at" timestamptz not null, "organization_id" uuid not null, "name" varchar(63) not null, "description" varchar(500) not null default '', "permissions" jsonb not null, "built_in" boolean not null default false, constraint "roles_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "roles" add constraint "roles_organization_id_name_unique" unique ("organization_id", "name");`,
    );

    this.addSql(
      `create table "signing_keys" ("id" uuid not null, "created_at" timestamptz not null, "kid" varchar(64) not null, "alg" varchar(16) not null default 'EdDSA', "status" varchar(16) not null default 'active', "public_jwk" jsonb not null, "private_jwk" jsonb not null, "activates_at" timestamptz null, "retired_at" timestamptz null, constraint "signing_keys_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "signing_keys" add constraint "signing_keys_kid_unique" unique ("kid");`);

    this.addSql(
      `create table "users" ("id" uuid not null, "created_at" timestamptz not null, "email" varchar(320) not null, "name" varchar(200) not null, "password_hash" varchar(255) null, "disabled" boolean not null default false, "failed_login_count" int not null default 0, "last_failed_login_at" timestamptz null, "locked_until" timestamptz null, "last_login_at" timestamptz null, constraint "users_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(
      `create table "sessions" ("id" uuid not null, "created_at" timestamptz not null, "user_id" uuid not null, "organization_id" uuid not null, "method" varchar(100) not null default 'password', "user_agent" varchar(500) null, "ip_address" varchar(64) null, "last_used_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" varchar(50) null, constraint "sessions_pkey" primary key ("id"));`,
    );

    this.addSql(
      `create table "refresh_tokens" ("id" uuid not null, "created_at" timestamptz not null, "session_id" uuid not null, "token_hash" varchar(64) not null, "expires_at" timestamptz not null, "rotated_at" timestamptz null, constraint "refresh_tokens_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`,
    );

    this.addSql(
      `create table "memberships" ("id" uuid not null, "created_at" timestamptz not null, "organization_id" uuid not null, "user_id" uuid not null, constraint "memberships_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "memberships" add constraint "memberships_user_id_organization_id_unique" unique ("user_id", "organization_id");`,
    );

    this.addSql(
      `create table "role_assignments" ("id" uuid not null, "created_at" timestamptz not null, "membership_id" uuid not null, "role_id" uuid not null, "source" varchar(100) not null default 'manual', "assigned_by_id" varchar(100) null, constraint "role_assignments_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "role_assignments" add constraint "role_assignments_membership_id_role_id_unique" unique ("membership_id", "role_id");`,
    );

    this.addSql(
      `create table "external_identities" ("id" uuid not null, "created_at" timestamptz not null, "issuer" varchar(500) not null, "subject" varchar(255) not null, "user_id" uuid not null, "last_seen_at" timestamptz not null, constraint "external_identities_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "external_identities" add constraint "external_identities_issuer_subject_unique" unique ("issuer", "subject");`,
    );

    this.addSql(
      `create table "api_keys" ("id" uuid not null, "created_at" timestamptz not null, "organization_id" uuid not null, "user_id" uuid not null, "name" varchar(200) not null, "prefix" varchar(32) not null, "secret_hash" varchar(64) not null, "roles" jsonb not null, "created_by_id" varchar(100) null, "expires_at" timestamptz null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "api_keys_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "api_keys" add constraint "api_keys_prefix_unique" unique ("prefix");`);

    this.addSql(
      `alter table "roles" add constraint "roles_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "sessions" add constraint "sessions_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "refresh_tokens" add constraint "refresh_tokens_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "memberships" add constraint "memberships_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "memberships" add constraint "memberships_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "role_assignments" add constraint "role_assignments_membership_id_foreign" foreign key ("membership_id") references "memberships" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "role_assignments" add constraint "role_assignments_role_id_foreign" foreign key ("role_id") references "roles" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "external_identities" add constraint "external_identities_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade;`,
    );

    this.addSql(
      `alter table "api_keys" add constraint "api_keys_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade;`,
    );
    this.addSql(
      `alter table "api_keys" add constraint "api_keys_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "roles" drop constraint "roles_organization_id_foreign";`);

    this.addSql(`alter table "sessions" drop constraint "sessions_organization_id_foreign";`);

    this.addSql(`alter table "memberships" drop constraint "memberships_organization_id_foreign";`);

    this.addSql(`alter table "api_keys" drop constraint "api_keys_organization_id_foreign";`);

    this.addSql(`alter table "role_assignments" drop constraint "role_assignments_role_id_foreign";`);

    this.addSql(`alter table "sessions" drop constraint "sessions_user_id_foreign";`);

    this.addSql(`alter table "memberships" drop constraint "memberships_user_id_foreign";`);

    this.addSql(`alter table "external_identities" drop constraint "external_identities_user_id_foreign";`);

    this.addSql(`alter table "api_keys" drop constraint "api_keys_user_id_foreign";`);

    this.addSql(`alter table "refresh_tokens" drop constraint "refresh_tokens_session_id_foreign";`);

    this.addSql(`alter table "role_assignments" drop constraint "role_assignments_membership_id_foreign";`);

    this.addSql(`drop table if exists "audit_events" cascade;`);

    this.addSql(`drop table if exists "organizations" cascade;`);

    this.addSql(`drop table if exists "revocations" cascade;`);

    this.addSql(`drop table if exists "roles" cascade;`);

    this.addSql(`drop table if exists "signing_keys" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "refresh_tokens" cascade;`);

    this.addSql(`drop table if exists "memberships" cascade;`);

    this.addSql(`drop table if exists "role_assignments" cascade;`);

    this.addSql(`drop table if exists "external_identities" cascade;`);

    this.addSql(`drop table if exists "api_keys" cascade;`);
  }
}
