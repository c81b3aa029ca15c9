import { Migration } from '@mikro-orm/migrations';

export class Migration20261206193053_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`models\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`organization_id\` text not null, \`name\` text not null, \`description\` text null, \`tags\` json not null, \`latest_version_number\` integer not null default 0, \`created_by_id\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`models_organization_id_index\` on \`models\` (\`organization_id\`);`);
    this.addSql(
      `create unique index \`models_organization_id_name_unique\` on \`models\` (\`organization_id\`, \`name\`);`,
    );

    this.addSql(
      `create table \`model_aliases\` (\`id\` text not null, \`updated_at\` datetime not null, \`organization_id\` text not null, \`created_at\` datetime null, \`model_id\` text not null, \`name\` text not null, \`version_id\` text not null, \`version\` integer not null, \`updated_by_id\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`model_aliases_organization_id_index\` on \`model_aliases\` (\`organization_id\`);`);
    this.addSql(`create index \`model_aliases_model_id_index\` on \`model_aliases\` (\`model_id\`);`);
    this.addSql(
      `create unique index \`model_aliases_model_id_name_unique\` on \`model_aliases\` (\`model_id\`, \`name\`);`,
    );

    this.addSql(
      `create table \`model_alias_events\` (\`id\` text not null, \`organization_id\` text not null, \`model_id\` text not null, \`alias\` text not null, \`sequence\` integer not null, \`from_version_id\` text null, \`from_version\` integer null, \`to_version_id\` text null, \`to_version\` integer null, \`actor_id\` text not null, \`actor_kind\` text not null, \`reason\` text null, \`pipeline_run_id\` text null, \`at\` datetime not null, primary key (\`id\`));`,
    );
    this.addSql(
      `create index \`model_alias_events_organization_id_index\` on \`model_alias_events\` (\`organization_id\`);`,
    );
    this.addSql(`create index \`model_alias_events_model_id_index\` on \`model_alias_events\` (\`model_id\`);`);

    this.addSql(
      `create table \`model_versions\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`model_id\` text not null, \`model_name\` text not null, \`version\` integer not null, \`description\` text null, \`tags\` json not null, \`source\` text not null, \`training_job_id\` text null, \`study_id\` text null, \`dataset_id\` text null, \`dataset_version\` text null, \`sha256\` text not null, \`size\` double not null, \`format\` text not null default 'ONNX', \`signature_json\` json not null, \`metrics\` json not null, \`parameters\` json not null, \`created_by_id\` text not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`model_versions_organization_id_index\` on \`model_versions\` (\`organization_id\`);`);
    this.addSql(`create index \`model_versions_model_id_index\` on \`model_versions\` (\`model_id\`);`);
    this.addSql(
      `create unique index \`model_versions_model_id_version_unique\` on \`model_versions\` (\`model_id\`, \`version\`);`,
    );

    this.addSql(
      `create table \`pipeline_runs\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`created_by_id\` text not null, \`created_by_kind\` text not null, \`name\` text not null, \`dataset_id\` text not null, \`spec\` json not null, \`state\` text not null default 'QUEUED', \`step_records\` json not null, \`error\` text null, \`finished_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`pipeline_runs_organization_id_index\` on \`pipeline_runs\` (\`organization_id\`);`);
    this.addSql(`create index \`pipeline_runs_state_index\` on \`pipeline_runs\` (\`state\`);`);

    this.addSql(
      `create table \`studies\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`created_by_id\` text not null, \`model_name\` text not null, \`dataset_id\` text not null, \`feature_columns\` json not null, \`target_column\` text not null, \`algorithm\` text not null, \`base_hyperparameters\` json not null, \`validation_fraction\` double not null, \`search_space\` json not null, \`sampler\` text not null, \`sampler_seed\` integer not null, \`grid_points\` integer not null, \`pruner\` text not null, \`pruner_startup_trials\` integer not null, \`pruner_warmup_steps\` integer not null, \`objective_metric\` text not null, \`direction\` text not null, \`n_trials\` integer not null, \`parallelism\` integer not null, \`state\` text not null default 'QUEUED', \`best_trial_number\` integer null, \`best_value\` double null, \`model_version_id\` text null, \`pipeline_run_id\` text null, \`error\` text null, \`cancel_requested\` integer not null default false, \`started_at\` datetime null, \`finished_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`studies_organization_id_index\` on \`studies\` (\`organization_id\`);`);
    this.addSql(`create index \`studies_state_index\` on \`studies\` (\`state\`);`);

    this.addSql(
      `create table \`study_trials\` (\`id\` text not null, \`study_id\` text not null, \`number\` integer not null, \`state\` text not null, \`params\` json not null, \`value\` double null, \`intermediate_values\` json not null, \`error\` text null, \`started_at\` datetime not null, \`finished_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`study_trials_study_id_index\` on \`study_trials\` (\`study_id\`);`);
    this.addSql(
      `create unique index \`study_trials_study_id_number_unique\` on \`study_trials\` (\`study_id\`, \`number\`);`,
    );

    this.addSql(
      `create table \`training_epochs\` (\`id\` text not null, \`job_id\` text not null, \`epoch\` integer not null, \`train_loss\` double not null, \`validation_loss\` double not null, \`metrics\` json not null, \`at\` datetime not null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`training_epochs_job_id_index\` on \`training_epochs\` (\`job_id\`);`);
    this.addSql(
      `create unique index \`training_epochs_job_id_epoch_unique\` on \`training_epochs\` (\`job_id\`, \`epoch\`);`,
    );

    this.addSql(
      `create table \`training_jobs\` (\`id\` text not null, \`created_at\` datetime not null, \`organization_id\` text not null, \`created_by_id\` text not null, \`model_name\` text not null, \`dataset_id\` text not null, \`dataset_sha256\` text null, \`feature_columns\` json not null, \`target_column\` text not null, \`algorithm\` text not null, \`hyperparameters\` json not null, \`validation_fraction\` double not null, \`state\` text not null default 'QUEUED', \`epoch\` integer not null default 0, \`epochs\` integer not null, \`train_loss\` double null, \`validation_loss\` double null, \`metrics\` json not null, \`error\` text null, \`model_version_id\` text null, \`pipeline_run_id\` text null, \`description\` text null, \`version_tags\` json null, \`requested_cpu\` double not null default 1, \`requested_gpu\` integer not null default 0, \`requested_memory_mb\` integer null, \`attempts\` integer not null default 0, \`cancel_requested\` integer not null default false, \`started_at\` datetime null, \`finished_at\` datetime null, primary key (\`id\`));`,
    );
    this.addSql(`create index \`training_jobs_organization_id_index\` on \`training_jobs\` (\`organization_id\`);`);
    this.addSql(`create index \`training_jobs_state_index\` on \`training_jobs\` (\`state\`);`);
  }
}
