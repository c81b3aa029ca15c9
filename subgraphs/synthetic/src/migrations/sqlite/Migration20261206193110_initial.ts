import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193110_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`synthetic_data_job\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`created_by_id\` text not null, \`source_dataset_id\` text null, \`schema_version_id\` text null, \`inline_schema\` json null, \`synthesizer\` text not null, \`rows\` integer not null, \`seed\` integer not null, \`epsilon\` double null, \`delta\` double null, \`holdout_fraction\` double null, \`constraints_json\` json not null, \`column_handling_json\` json not null, \`output_name\` text null, \`status\` text not null default 'QUEUED', \`progress\` double not null default 0, \`stage\` text not null default 'QUEUED', \`error\` text null, \`output_dataset_id\` text null, \`report_id\` text null, \`attempts\` integer not null default 0, \`cancel_requested\` integer not null default false, \`started_at\` datetime null, \`finished_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`synthetic_data_job_organization_id_index\` on \`synthetic_data_job\` (\`organization_id\`);`,
    );
    this.addSql(`create index \`synthetic_data_job_status_index\` on \`synthetic_data_job\` (\`status\`);`);

    this.addSql(
      `create table \`synthetic_report\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`job_id\` text not null, \`rows\` integer not null, \`quality\` json null, \`privacy\` json null, \`compliance\` json not null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`synthetic_report_organization_id_index\` on \`synthetic_report\` (\`organization_id\`);`,
    );
  }
}
