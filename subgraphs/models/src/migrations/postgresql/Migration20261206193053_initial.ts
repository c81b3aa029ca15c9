import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193053_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "models" ("id" varchar(255) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "organization_id" varchar(255) not null, "name" varchar(255) not null, "description" text null, "tags" jsonb not null, "latest_version_number" int not null default 0, "created_by_id" varchar(255) not null, constraint "models_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "models_organization_id_index" on "models" ("organization_id");`);
    this.addSql(
      `alter table "models" add constraint "models_organization_id_name_unique" unique ("organization_id", "name");`,
    );

    this.addSql(
      `create table "model_aliases" ("id" varchar(255) not null, "updated_at" timestamptz not null, "organization_id" varchar(255) not null, "created_at" timestamptz null, "model_id" varchar(255) not null, "name" varchar(255) not null, "version_id" varchar(255) not null, "version" int not null, "updated_by_id" varchar(255) not null, constraint "model_aliases_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "model_aliases_organization_id_index" on "model_aliases" ("organization_id");`);
    this.addSql(`create index "model_aliases_model_id_index" on "model_aliases" ("model_id");`);
    this.addSql(
      `alter table "model_aliases" add constraint "model_aliases_model_id_name_unique" unique ("model_id", "name");`,
    );

    this.addSql(
      `create table "model_alias_events" ("id" varchar(255) not null, "organization_id" varchar(255) not null, "model_id" varchar(255) not null, "alias" varchar(255) not null, "sequence" int not null, "from_version_id" varchar(255) null, "from_version" int null, "to_version_id" varchar(255) null, "to_version" int null, "actor_id" varchar(255) not null, "actor_kind" varchar(255) not null, "reason" text null, "pipeline_run_id" varchar(255) null, "at" timestamptz not null, constraint "model_alias_events_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "model_alias_events_organization_id_index" on "model_alias_events" ("organization_id");`);
    this.addSql(`create index "model_alias_events_model_id_index" on "model_alias_events" ("model_id");`);

    this.addSql(
      `create table "model_versions" ("id" varchar(255) not null, "created_at" timestamptz not null, "organization_id" varchar(255) not null, "model_id" varchar(255) not null, "model_name" varchar(255) not null, "version" int not null, "description" text null, "tags" jsonb not null, "source" varchar(255) not null, "training_job_id" varchar(255) null, "study_id" varchar(255) null, "dataset_id" varchar(255) null, "dataset_version" varchar(255) null, "sha256" varchar(255) not null, "size" double precision not null, "format" varchar(255) not null default 'ONNX', "signature_json" jsonb not null, "metrics" jsonb not null, "parameters" jsonb not null, "created_by_id" varchar(255) not null, constraint "model_versions_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "model_versions_organization_id_index" on "model_versions" ("organization_id");`);
    this.addSql(`create index "model_versions_model_id_index" on "model_versions" ("model_id");`);
    this.addSql(
      `alter table "model_versions" add constraint "model_versions_model_id_version_unique" unique ("model_id", "version");`,
    );

    this.addSql(
      `create table "pipeline_runs" ("id" varchar(255) not null, "created_at" timestamptz not null, "organization_id" varchar(255) not null, "created_by_id" varchar(255) not null, "created_by_kind" varchar(255) not null, "name" varchar(255) not null, "dataset_id" varchar(255) not null, "spec" jsonb not null, "state" varchar(255) not null default 'QUEUED', "step_records" jsonb not null, "error" text null, "finished_at" timestamptz null, constraint "pipeline_runs_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "pipeline_runs_organization_id_index" on "pipeline_runs" ("organization_id");`);
    this.addSql(`create index "pipeline_runs_state_index" on "pipeline_runs" ("state");`);

    this.addSql(
      `create table "studies" ("id" varchar(255) not null, "created_at" timestamptz not null, "organization_id" varchar(255) not null, "created_by_id" varchar(255) not null, "model_name" varchar(255) not null, "dataset_id" varchar(255) not null, "feature_columns" jsonb not null, "target_column" varchar(255) not null, "algorithm" varchar(255) not null, "base_hyperparameters" jsonb not null, "validation_fraction" double precision not null, "search_space" jsonb not null, "sampler" varchar(255) not null, "sampler_seed" int not null, "grid_points" int not null, "pruner" varchar(255) not null, "pruner_startup_trials" int not null, "pruner_warmup_steps" int not null, "objective_metric" varchar(255) not null, "direction" varchar(255) not null, "n_trials" int not null, "parallelism" int not null, "state" varchar(255) not null default 'QUEUED', "best_trial_number" int null, "best_value" double precision null, "model_version_id" varchar(255) null, "pipeline_run_id" varchar(255) null, "error" text null, "cancel_requested" boolean not null default false, "started_at" timestamptz null, "finished_at" timestamptz null, constraint "studies_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "studies_organization_id_index" on "studies" ("organization_id");`);
    this.addSql(`create index "studies_state_index" on "studies" ("state");`);

    this.addSql(
      `create table "study_trials" ("id" varchar(255) not null, "study_id" varchar(255) not null, "number" int not null, "state" varchar(255) not null, "params" jsonb not null, "value" double precision null, "intermediate_values" jsonb not null, "error" text null, "started_at" timestamptz not null, "finished_at" timestamptz null, constraint "study_trials_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "study_trials_study_id_index" on "study_trials" ("study_id");`);
    this.addSql(
      `alter table "study_trials" add constraint "study_trials_study_id_number_unique" unique ("study_id", "number");`,
    );

    this.addSql(
      `create table "training_epochs" ("id" varchar(255) not null, "job_id" varchar(255) not null, "epoch" int not null, "train_loss" double precision not null, "validation_loss" double precision not null, "metrics" jsonb not null, "at" timestamptz not null, constraint "training_epochs_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "training_epochs_job_id_index" on "training_epochs" ("job_id");`);
    this.addSql(
      `alter table "training_epochs" add constraint "training_epochs_job_id_epoch_unique" unique ("job_id", "epoch");`,
    );

    this.addSql(
      `create table "training_jobs" ("id" varchar(255) not null, "created_at" timestamptz not null, "organization_id" varchar(255) not null, "created_by_id" varchar(255) not null, "model_name" varchar(255) not null, "dataset_id" varchar(255) not null, "dataset_sha256" varchar(255) null, "feature_columns" jsonb not null, "target_column" varchar(255) not null, "algorithm" varchar(255) not null, "hyperparameters" jsonb not null, "validation_fraction" double precision not null, "state" varchar(255) not null default 'QUEUED', "epoch" int not null default 0, "epochs" int not null, "train_loss" double precision null, "validation_loss" double precision null, "metrics" jsonb not null, "error" text null, "model_version_id" varchar(255) null, "pipeline_run_id" varchar(255) null, "description" text null, "version_tags" jsonb null, "requested_cpu" double precision not null default 1, "requested_gpu" int not null default 0, "requested_memory_mb" int null, "attempts" int not null default 0, "cancel_requested" boolean not null default false, "started_at" timestamptz null, "finished_at" timestamptz null, constraint "training_jobs_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "training_jobs_organization_id_index" on "training_jobs" ("organization_id");`);
    this.addSql(`create index "training_jobs_state_index" on "training_jobs" ("state");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "models" cascade;`);

    this.addSql(`drop table if exists "model_aliases" cascade;`);

    this.addSql(`drop table if exists "model_alias_events" cascade;`);

    this.addSql(`drop table if exists "model_versions" cascade;`);

    this.addSql(`drop table if exists "pipeline_runs" cascade;`);

    this.addSql(`drop table if exists "studies" cascade;`);

    this.addSql(`drop table if exists "study_trials" cascade;`);

    this.addSql(`drop table if exists "training_epochs" cascade;`);

    this.addSql(`drop table if exists "training_jobs" cascade;`);
  }
}
