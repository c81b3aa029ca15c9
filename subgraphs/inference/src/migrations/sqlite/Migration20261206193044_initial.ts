import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193044_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`batch_inference_jobs\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`endpoint_id\` text not null, \`dataset_id\` text not null, \`mapping\` json not null, \`passthrough_columns\` json not null, \`output_dataset_name\` text not null, \`chunk_size\` integer not null, \`status\` text check (\`status\` in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')) not null default 'QUEUED', \`rows_done\` integer not null default 0, \`rows_total\` integer not null default 0, \`attempts\` integer not null default 0, \`output_dataset_id\` text null, \`error\` text null, \`created_by_id\` text not null, \`started_at\` datetime null, \`finished_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`batch_inference_jobs_organization_id_index\` on \`batch_inference_jobs\` (\`organization_id\`);`,
    );

    this.addSql(
      `create table \`cached_model_versions\` (\`id\` text not null, \`organization_id\` text not null, \`fetched_at\` datetime not null, \`model_id\` text not null, \`model_name\` text not null, \`version\` text not null, \`sha256\` text not null, \`size\` integer not null, \`format\` text not null, \`declared_signature\` json null, \`served_signature\` json null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`cached_model_versions_organization_id_index\` on \`cached_model_versions\` (\`organization_id\`);`,
    );

    this.addSql(
      `create table \`endpoints\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`organization_id\` text not null, \`name\` text not null, \`description\` text null, \`routes\` json not null, \`shadow_model_version_id\` text null, \`max_batch_size\` integer not null, \`max_queue_delay_ms\` double not null, \`replicas\` integer not null default 1, \`execution_providers\` json not null, \`warmup_dims\` json null, \`created_by_id\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`endpoints_organization_id_index\` on \`endpoints\` (\`organization_id\`);`);
    this.addSql(
      `create unique index \`endpoints_organization_id_name_unique\` on \`endpoints\` (\`organization_id\`, \`name\`);`,
    );
  }
}
