import { Migration } from '@mikro-orm/migrations';

export class Migration20261206211215_dataset_creation_key extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`dataset\` add column \`creation_key\` text null;`);
    this.addSql(
      `create unique index \`dataset_organization_id_creation_key_unique\` on \`dataset\` (\`organization_id\`, \`creation_key\`);`,
    );
  }
}
