import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193023_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`access_grant\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`dataset_id\` text not null, \`subject_type\` text not null, \`subject_id\` text not null, \`level\` text not null, \`granted_by_id\` text not null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`access_grant_organization_id_subject_type_subject_id_index\` on \`access_grant\` (\`organization_id\`, \`subject_type\`, \`subject_id\`);`,
    );
    this.addSql(
      `create unique index \`access_grant_dataset_id_subject_type_subject_id_unique\` on \`access_grant\` (\`dataset_id\`, \`subject_type\`, \`subject_id\`);`,
    );

    this.addSql(
      `create table \`access_request\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`dataset_id\` text not null, \`requester_id\` text not null, \`level\` text not null, \`reason\` text null, \`status\` text not null default 'PENDING', \`decided_by_id\` text null, \`decision_note\` text null, \`decided_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`access_request_dataset_id_status_index\` on \`access_request\` (\`dataset_id\`, \`status\`);`,
    );

    this.addSql(
      `create table \`audit_entry\` (\`id\` text not null, \`organization_id\` text not null, \`dataset_id\` text null, \`actor_id\` text not null, \`action\` text not null, \`details\` json null, \`at\` datetime not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`audit_entry_dataset_id_at_index\` on \`audit_entry\` (\`dataset_id\`, \`at\`);`);
    this.addSql(
      `create index \`audit_entry_organization_id_at_index\` on \`audit_entry\` (\`organization_id\`, \`at\`);`,
    );

    this.addSql(
      `create table \`column_lineage_edge\` (\`id\` text not null, \`organization_id\` text not null, \`updated_at\` datetime not null, \`created_at\` datetime null, \`output_node\` text not null, \`output_field\` text not null, \`input_node\` text not null, \`input_field\` text not null, \`transformations\` json null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`column_lineage_edge_input_node_input_field_index\` on \`column_lineage_edge\` (\`input_node\`, \`input_field\`);`,
    );
    this.addSql(
      `create index \`column_lineage_edge_output_node_output_field_index\` on \`column_lineage_edge\` (\`output_node\`, \`output_field\`);`,
    );

    this.addSql(
      `create table \`dataset\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`updated_at\` datetime not null, \`owner_id\` text not null, \`name\` text not null, \`description\` text null, \`tags\` json not null, \`classification\` text not null default 'INTERNAL', \`format\` text not null, \`schema_version_id\` text null, \`columns\` json not null, \`latest_version\` integer not null default 0, \`version_counter\` integer not null default 0, \`quality_score\` double null, \`retention_keep_last\` integer null, \`retention_max_age_days\` integer null, \`search_text\` text not null default '', primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`dataset_organization_id_updated_at_index\` on \`dataset\` (\`organization_id\`, \`updated_at\`);`,
    );
    this.addSql(
      `create unique index \`dataset_organization_id_name_unique\` on \`dataset\` (\`organization_id\`, \`name\`);`,
    );

    this.addSql(
      `create table \`dataset_version\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`dataset_id\` text not null, \`version\` integer not null, \`sha256\` text not null, \`size\` integer not null, \`format\` text not null, \`status\` text not null default 'PROFILING', \`error\` text null, \`row_count\` integer null, \`profile\` json null, \`created_by_id\` text not null, \`content_deleted_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`dataset_version_sha256_index\` on \`dataset_version\` (\`sha256\`);`);
    this.addSql(
      `create unique index \`dataset_version_dataset_id_version_unique\` on \`dataset_version\` (\`dataset_id\`, \`version\`);`,
    );

    this.addSql(
      `create table \`lineage_edge\` (\`id\` text not null, \`organization_id\` text not null, \`updated_at\` datetime not null, \`created_at\` datetime null, \`from_node\` text not null, \`to_node\` text not null, \`last_run_id\` text null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`lineage_edge_to_node_from_node_index\` on \`lineage_edge\` (\`to_node\`, \`from_node\`);`,
    );
    this.addSql(
      `create unique index \`lineage_edge_from_node_to_node_unique\` on \`lineage_edge\` (\`from_node\`, \`to_node\`);`,
    );

    this.addSql(
      `create table \`lineage_event\` (\`id\` text not null, \`organization_id\` text not null, \`received_at\` datetime not null, \`kind\` text not null, \`event_type\` text null, \`run_id\` text null, \`event_time\` datetime not null, \`payload\` json not null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`lineage_event_organization_id_run_id_index\` on \`lineage_event\` (\`organization_id\`, \`run_id\`);`,
    );
    this.addSql(
      `create index \`lineage_event_organization_id_received_at_index\` on \`lineage_event\` (\`organization_id\`, \`received_at\`);`,
    );

    this.addSql(
      `create table \`lineage_node\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`updated_at\` datetime not null, \`kind\` text not null, \`namespace\` text not null, \`name\` text not null, \`dataset_id\` text null, \`facets\` json null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`lineage_node_dataset_id_index\` on \`lineage_node\` (\`dataset_id\`);`);
    this.addSql(
      `create unique index \`lineage_node_organization_id_kind_namespace_name_unique\` on \`lineage_node\` (\`organization_id\`, \`kind\`, \`namespace\`, \`name\`);`,
    );

    this.addSql(
      `create table \`lineage_run\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`run_id\` text not null, \`job_node\` text not null, \`state\` text not null, \`started_at\` datetime null, \`ended_at\` datetime null, \`last_event_time\` datetime not null, \`facets\` json null, \`input_nodes\` json not null, \`output_nodes\` json not null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`lineage_run_organization_id_job_node_index\` on \`lineage_run\` (\`organization_id\`, \`job_node\`);`,
    );

    this.addSql(
      `create table \`quality_check\` (\`id\` text not null, \`organization_id\` text not null, \`dataset_id\` text not null, \`version\` integer not null, \`trigger\` text not null, \`row_count\` integer not null, \`score\` double null, \`results\` json not null, \`ran_at\` datetime not null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`quality_check_dataset_id_ran_at_index\` on \`quality_check\` (\`dataset_id\`, \`ran_at\`);`,
    );

    this.addSql(
      `create table \`quality_rule\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`dataset_id\` text not null, \`type\` text not null, \`column\` text null, \`min_value\` double null, \`max_value\` double null, \`regex\` text null, \`max_age_seconds\` double null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`quality_rule_dataset_id_index\` on \`quality_rule\` (\`dataset_id\`);`);
  }
}
