import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193033_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`audit_events\` (\`id\` text not null, \`created_at\` datetime not null, \`type\` text not null, \`success\` integer not null, \`organization_id\` text null, \`actor_id\` text null, \`actor_kind\` text not null default 'anonymous', \`target_type\` text null, \`target_id\` text null, \`ip_address\` text null, \`details\` json not null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`audit_events_organization_id_created_at_index\` on \`audit_events\` (\`organization_id\`, \`created_at\`);`,
    );

    this.addSql(
      `create table \`organizations\` (\`id\` text not null, \`created_at\` datetime not null, \`slug\` text not null, \`name\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create unique index \`organizations_slug_unique\` on \`organizations\` (\`slug\`);`);

    this.addSql(
      `create table \`revocations\` (\`id\` text not null, \`created_at\` datetime not null, \`kind\` text not null, \`subject_id\` text not null, \`issued_before\` datetime null, \`until\` datetime not null, \`reason\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`revocations_until_index\` on \`revocations\` (\`until\`);`);
    this.addSql(
      `create unique index \`revocations_kind_subject_id_unique\` on \`revocations\` (\`kind\`, \`subject_id\`);`,
    );

    this.addSql(
      `create table \`roles\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`name\` text not null, \`description\` text not null default '', \`permissions\` json not null, \`built_in\` integer not null default false, constraint \`roles_organization_id_foreign\` foreign key(\`organization_id\`) references \`organizations\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`roles_organization_id_index\` on \`roles\` (\`organization_id\`);`);
    this.addSql(
      `create unique index \`roles_organization_id_name_unique\` on \`roles\` (\`organization_id\`, \`name\`);`,
    );

    this.addSql(
      `create table \`signing_keys\` (\`id\` text not null, \`created_at\` datetime not null, \`kid\` text not null, \`alg\` text not null default 'EdDSA', \`status\` text not null default 'active', \`public_jwk\` json not null, \`private_jwk\` json not null, \`activates_at\` datetime null, \`retired_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(`create unique index \`signing_keys_kid_unique\` on \`signing_keys\` (\`kid\`);`);

    this.addSql(
      `create table \`users\` (\`id\` text not null, \`created_at\` datetime not null, \`email\` text not null, \`name\` text not null, \`password_hash\` text null, \`disabled\` integer not null default false, \`failed_login_count\` integer not null default 0, \`last_failed_login_at\` datetime null, \`locked_until\` datetime null, \`last_login_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(`create unique index \`users_email_unique\` on \`users\` (\`email\`);`);

    this.addSql(
      `create table \`sessions\` (\`id\` text not null, \`created_at\` datetime not null, \`user_id\` text not null, \`organization_id\` text not null, \`method\` text not null default 'password', \`user_agent\` text null, \`ip_address\` text null, \`last_used_at\` datetime not null, \`expires_at\` datetime not null, \`revoked_at\` datetime null, \`revoked_reason\` text null, constraint \`sessions_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on update cascade, constraint \`sessions_organization_id_foreign\` foreign key(\`organization_id\`) references \`organizations\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`sessions_user_id_index\` on \`sessions\` (\`user_id\`);`);
    this.addSql(`create index \`sessions_organization_id_index\` on \`sessions\` (\`organization_id\`);`);

    this.addSql(
      `create table \`refresh_tokens\` (\`id\` text not null, \`created_at\` datetime not null, \`session_id\` text not null, \`token_hash\` text not null, \`expires_at\` datetime not null, \`rotated_at\` datetime null, constraint \`refresh_tokens_session_id_foreign\` foreign key(\`session_id\`) references \`sessions\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`refresh_tokens_session_id_index\` on \`refresh_tokens\` (\`session_id\`);`);
    this.addSql(`create unique index \`refresh_tokens_token_hash_unique\` on \`refresh_tokens\` (\`token_hash\`);`);

    this.addSql(
      `create table \`memberships\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`user_id\` text not null, constraint \`memberships_organization_id_foreign\` foreign key(\`organization_id\`) references \`organizations\`(\`id\`) on update cascade, constraint \`memberships_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`memberships_organization_id_index\` on \`memberships\` (\`organization_id\`);`);
    this.addSql(`create index \`memberships_user_id_index\` on \`memberships\` (\`user_id\`);`);
    this.addSql(
      `create unique index \`memberships_user_id_organization_id_unique\` on \`memberships\` (\`user_id\`, \`organization_id\`);`,
    );

    this.addSql(
      `create table \`role_assignments\` (\`id\` text not null, \`created_at\` datetime not null, \`membership_id\` text not null, \`role_id\` text not null, \`source\` text not null default 'manual', \`assigned_by_id\` text null, constraint \`role_assignments_membership_id_foreign\` foreign key(\`membership_id\`) references \`memberships\`(\`id\`) on delete cascade on update cascade, constraint \`role_assignments_role_id_foreign\` foreign key(\`role_id\`) references \`roles\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`role_assignments_membership_id_index\` on \`role_assignments\` (\`membership_id\`);`);
    this.addSql(`create index \`role_assignments_role_id_index\` on \`role_assignments\` (\`role_id\`);`);
    this.addSql(
      `create unique index \`role_assignments_membership_id_role_id_unique\` on \`role_assignments\` (\`membership_id\`, \`role_id\`);`,
    );

    this.addSql(
      `create table \`external_identities\` (\`id\` text not null, \`created_at\` datetime not null, \`issuer\` text not null, \`subject\` text not null, \`user_id\` text not null, \`last_seen_at\` datetime not null, constraint \`external_identities_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`external_identities_user_id_index\` on \`external_identities\` (\`user_id\`);`);
    this.addSql(
      `create unique index \`external_identities_issuer_subject_unique\` on \`external_identities\` (\`issuer\`, \`subject\`);`,
    );

    this.addSql(
      `create table \`api_keys\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`user_id\` text not null, \`name\` text not null, \`prefix\` text not null, \`secret_hash\` text not null, \`roles\` json not null, \`created_by_id\` text null, \`expires_at\` datetime null, \`last_used_at\` datetime null, \`revoked_at\` datetime null, constraint \`api_keys_organization_id_foreign\` foreign key(\`organization_id\`) references \`organizations\`(\`id\`) on update cascade, constraint \`api_keys_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on update cascade, primary key (\`id\`));`,
    );
    this.addSql(`create index \`api_keys_organization_id_index\` on \`api_keys\` (\`organization_id\`);`);
    this.addSql(`create index \`api_keys_user_id_index\` on \`api_keys\` (\`user_id\`);`);
    this.addSql(`create unique index \`api_keys_prefix_unique\` on \`api_keys\` (\`prefix\`);`);
  }
}
