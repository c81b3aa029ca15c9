import { Migration } from '@mikro-orm/migrations';

export class Migration20261206211215_dataset_creation_key extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "dataset" add column "creation_key" varchar(200) null;`);
    this.addSql(
      `alter table "dataset" add constraint "dataset_organization_id_creation_key_unique" unique ("organization_id", "creation_key");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "dataset" drop constraint "dataset_organization_id_creation_key_unique";`);
    this.addSql(`alter table "dataset" drop column "creation_key";`);
  }
}
