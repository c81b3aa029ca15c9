import { Migration } from '@mikro-orm/migrations';

const COLUMNS_BEFORE = [
  'id',
  'created_at',
  'organization_id',
  'endpoint_id',
  'dataset_id',
  'mapping',
  'passthrough_columns',
  'output_dataset_name',
  'chunk_size',
  'status',
  'rows_done',
  'rows_total',
  'attempts',
  'output_dataset_id',
  'error',
  'created_by_id',
  'started_at',
  'finished_at',
]
  .map((c) => `\`${c}\``)
  .join(', ');

/**
 * Batch jobs count failed rows, list the first row errors and may end PARTIAL. SQLite cannot change a
 * check constraint in place: the table is rebuilt (rows copied) with the new status list and columns.
 */
export class Migration20261206195951_batch_row_errors extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`batch_inference_jobs\` rename to \`batch_inference_jobs__before_row_errors\`;`);
    this.addSql(
      `create table \`batch_inference_jobs\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`endpoint_id\` text not null, \`dataset_id\` text not null, \`mapping\` json not null, \`passthrough_columns\` json not null, \`output_dataset_name\` text not null, \`chunk_size\` integer not null, \`status\` text check (\`status\` in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED')) not null default 'QUEUED', \`rows_done\` integer not null default 0, \`rows_total\` integer not null default 0, \`rows_failed\` integer not null default 0, \`row_error_list\` json null, \`attempts\` integer not null default 0, \`output_dataset_id\` text null, \`error\` text null, \`created_by_id\` text not null, \`started_at\` datetime null, \`finished_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(
      `insert into \`batch_inference_jobs\` (${COLUMNS_BEFORE}) select ${COLUMNS_BEFORE} from \`batch_inference_jobs__before_row_errors\`;`,
    );
    this.addSql(`drop table \`batch_inference_jobs__before_row_errors\`;`);
    this.addSql(
      `create index \`batch_inference_jobs_organization_id_index\` on \`batch_inference_jobs\` (\`organization_id\`);`,
    );
  }
}
