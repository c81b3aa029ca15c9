import { Migration } from '@mikro-orm/migrations';

export class Migration20261206211225_batch_chunks_replica_states extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`batch_inference_chunks\` (\`id\` text not null, \`job_id\` text not null, \`start\` integer not null, \`end\` integer not null, \`columns\` json null, \`rows\` json not null, \`attempt\` integer not null, \`created_at\` datetime not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`batch_inference_chunks_job_id_index\` on \`batch_inference_chunks\` (\`job_id\`);`);

    this.addSql(
      `create table \`endpoint_replica_states\` (\`id\` text not null, \`endpoint_id\` text not null, \`replica\` text not null, \`status\` text not null, \`reason\` text null, \`versions\` json not null, \`heartbeat_at\` datetime not null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`endpoint_replica_states_endpoint_id_index\` on \`endpoint_replica_states\` (\`endpoint_id\`);`,
    );

    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(
      `create table \`batch_inference_jobs__temp_alter\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`endpoint_id\` text not null, \`dataset_id\` text not null, \`mapping\` json not null, \`passthrough_columns\` json not null, \`output_dataset_name\` text not null, \`chunk_size\` integer not null, \`status\` text check (\`status\` in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED')) not null default 'QUEUED', \`rows_done\` integer not null default 0, \`rows_total\` integer not null default 0, \`rows_failed\` integer not null default 0, \`row_error_list\` json null, \`attempts\` integer not null default 0, \`output_dataset_id\` text null, \`error\` text null, \`created_by_id\` text not null, \`started_at\` datetime null, \`finished_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(
      `insert into \`batch_inference_jobs__temp_alter\` select \`id\`, \`created_at\`, \`organization_id\`, \`endpoint_id\`, \`dataset_id\`, \`mapping\`, \`passthrough_columns\`, \`output_dataset_name\`, \`chunk_size\`, \`status\`, \`rows_done\`, \`rows_total\`, \`rows_failed\`, \`row_error_list\`, \`attempts\`, \`output_dataset_id\`, \`error\`, \`created_by_id\`, \`started_at\`, \`finished_at\` from \`batch_inference_jobs\`;`,
    );
    this.addSql(`drop table \`batch_inference_jobs\`;`);
    this.addSql(`alter table \`batch_inference_jobs__temp_alter\` rename to \`batch_inference_jobs\`;`);
    this.addSql(
      `create index \`batch_inference_jobs_organization_id_index\` on \`batch_inference_jobs\` (\`organization_id\`);`,
    );
    this.addSql(`pragma foreign_keys = on;`);
  }
}
