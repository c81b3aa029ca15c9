import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { SchemasContext } from '../context';
import { SchemaVersion } from './schema-version.entity';

@Resolver(() => SchemaVersion)
export class SchemaVersionResolver {
  @FieldResolver(() => [SchemaVersion], { description: 'Live versions whose references name this one' })
  async referencedBy(@Root() version: SchemaVersion, @Ctx() ctx: SchemasContext): Promise<SchemaVersion[]> {
    return (await ctx.registry.referencedBy(ctx.em, version)).filter((v) => !v.deleted);
  }
}
