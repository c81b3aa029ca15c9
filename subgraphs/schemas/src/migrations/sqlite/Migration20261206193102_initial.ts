import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193102_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`id_sequences\` (\`name\` text not null, \`id\` text null, \`created_at\` datetime null, \`value\` integer not null, primary key (\`name\`));`,
    );

    this.addSql(
      `create table \`registry_settings\` (\`organization_id\` text not null, \`id\` text null, \`created_at\` datetime null, \`compatibility\` text not null, primary key (\`organization_id\`));`,
    );

    this.addSql(
      `create table \`schema_versions\` (\`id\` text not null, \`created_at\` datetime not null, \`global_id\` integer not null, \`organization_id\` text not null, \`subject_id\` text not null, \`subject\` text not null, \`version\` integer not null, \`type\` text not null, \`schema\` text not null, \`canonical_schema\` text not null, \`fingerprint\` text not null, \`references\` json not null, \`deleted\` integer not null default false, \`created_by_id\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create unique index \`schema_versions_global_id_unique\` on \`schema_versions\` (\`global_id\`);`);
    this.addSql(`create index \`schema_versions_organization_id_index\` on \`schema_versions\` (\`organization_id\`);`);
    this.addSql(`create index \`schema_versions_subject_id_index\` on \`schema_versions\` (\`subject_id\`);`);
    this.addSql(
      `create index \`schema_versions_organization_id_fingerprint_index\` on \`schema_versions\` (\`organization_id\`, \`fingerprint\`);`,
    );
    this.addSql(
      `create unique index \`schema_versions_subject_id_version_unique\` on \`schema_versions\` (\`subject_id\`, \`version\`);`,
    );

    this.addSql(
      `create table \`subjects\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`organization_id\` text not null, \`name\` text not null, \`compatibility\` text null, \`deleted\` integer not null default false, \`next_version\` integer not null default 1, primary key (\`id\`));`,
    );
    this.addSql(`create index \`subjects_organization_id_index\` on \`subjects\` (\`organization_id\`);`);
    this.addSql(
      `create unique index \`subjects_organization_id_name_unique\` on \`subjects\` (\`organization_id\`, \`name\`);`,
    );
  }
}
