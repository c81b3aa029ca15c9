import { Migration } from '@mikro-orm/migrations';

export class Migration20261206211225_batch_chunks_replica_states extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table \`batch_inference_chunks\` (\`id\` text not null, \`created_at\` datetime not null, \`job_id\` text not null, \`start\` integer not null, \`end\` integer not null, \`columns\` json null, \`rows\` json not null, \`attempt\` integer not null, primary key (\`id\`));`,
    );
    this.addSql(
      `create unique index \`batch_inference_chunks_job_id_start_unique\` on \`batch_inference_chunks\` (\`job_id\`, \`start\`);`,
    );

    this.addSql(
      `create table \`endpoint_replica_states\` (\`id\` text not null, \`created_at\` datetime not null, \`endpoint_id\` text not null, \`replica\` text not null, \`status\` text not null, \`reason\` text null, \`versions\` json not null, \`heartbeat_at\` datetime not null, primary key (\`id\`));`,
    );
    this.addSql(
      `create unique index \`endpoint_replica_states_endpoint_id_replica_unique\` on \`endpoint_replica_states\` (\`endpoint_id\`, \`replica\`);`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`batch_inference_chunks\`;`);
    this.addSql(`drop table if exists \`endpoint_replica_states\`;`);
  }
}
