import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193013_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`applications\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`organization_id\` text not null, \`name\` text not null, \`description\` text null, \`owner_id\` text not null, \`environments\` json not null, \`created_by_id\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`applications_organization_id_index\` on \`applications\` (\`organization_id\`);`);
    this.addSql(
      `create unique index \`applications_organization_id_name_unique\` on \`applications\` (\`organization_id\`, \`name\`);`,
    );

    this.addSql(
      `create table \`config_versions\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`application_id\` text not null, \`version\` integer not null, \`stored_entries\` json not null, \`checksum\` text not null, \`schema_version_id\` text null, \`note\` text null, \`created_by_id\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`config_versions_organization_id_index\` on \`config_versions\` (\`organization_id\`);`);
    this.addSql(`create index \`config_versions_application_id_index\` on \`config_versions\` (\`application_id\`);`);
    this.addSql(
      `create unique index \`config_versions_application_id_version_unique\` on \`config_versions\` (\`application_id\`, \`version\`);`,
    );

    this.addSql(
      `create table \`deployments\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`organization_id\` text not null, \`application_id\` text not null, \`environment\` text not null, \`driver\` text not null, \`status\` text not null, \`health\` text not null, \`revision\` integer not null, \`replicas\` integer not null, \`endpoints_state\` json not null, \`config_version_id\` text null, \`resources\` json not null, \`scaling\` json null, \`health_thresholds\` json not null, \`scaling_history\` json not null, \`last_decision\` json null, \`diagnostics_state\` json not null, \`checked_at\` datetime null, \`created_by_id\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`deployments_organization_id_index\` on \`deployments\` (\`organization_id\`);`);
    this.addSql(`create index \`deployments_application_id_index\` on \`deployments\` (\`application_id\`);`);

    this.addSql(
      `create table \`deployment_events\` (\`id\` text not null, \`organization_id\` text not null, \`deployment_id\` text not null, \`application_id\` text not null, \`sequence\` integer not null, \`kind\` text not null, \`status\` text not null, \`previous_status\` text null, \`health\` text not null, \`revision\` integer not null, \`replicas\` integer not null, \`message\` text not null, \`data\` json null, \`actor_id\` text null, \`at\` datetime not null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`deployment_events_organization_id_index\` on \`deployment_events\` (\`organization_id\`);`,
    );
    this.addSql(`create index \`deployment_events_deployment_id_index\` on \`deployment_events\` (\`deployment_id\`);`);
    this.addSql(
      `create unique index \`deployment_events_deployment_id_sequence_unique\` on \`deployment_events\` (\`deployment_id\`, \`sequence\`);`,
    );

    this.addSql(
      `create table \`releases\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`deployment_id\` text not null, \`revision\` integer not null, \`endpoints\` json not null, \`config_version_id\` text null, \`resources\` json not null, \`scaling\` json null, \`replicas\` integer not null, \`rolled_back_from\` integer null, \`created_by_id\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`releases_organization_id_index\` on \`releases\` (\`organization_id\`);`);
    this.addSql(`create index \`releases_deployment_id_index\` on \`releases\` (\`deployment_id\`);`);
    this.addSql(
      `create unique index \`releases_deployment_id_revision_unique\` on \`releases\` (\`deployment_id\`, \`revision\`);`,
    );
  }
}
