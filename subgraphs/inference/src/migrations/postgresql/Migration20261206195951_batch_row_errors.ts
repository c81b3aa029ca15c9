import { Migration } from '@mikro-orm/migrations';

export class Migration20261206195951_batch_row_errors extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "batch_inference_jobs" drop constraint if exists "batch_inference_jobs_status_check";`);

    this.addSql(
      `alter table "batch_inference_jobs" add column "rows_failed" int not null default 0, add column "row_error_list" jsonb null;`,
    );
    this.addSql(
      `alter table "batch_inference_jobs" add constraint "batch_inference_jobs_status_check" check("status" in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'));`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "batch_inference_jobs" drop constraint if exists "batch_inference_jobs_status_check";`);

    this.addSql(`alter table "batch_inference_jobs" drop column "rows_failed", drop column "row_error_list";`);

    this.addSql(
      `alter table "batch_inference_jobs" add constraint "batch_inference_jobs_status_check" check("status" in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'));`,
    );
  }
}
