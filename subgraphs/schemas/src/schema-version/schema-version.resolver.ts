import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { SchemasContext } from '../context';
import { SchemaVersion } from './schema-version.entity';

@Resolver(() => SchemaVersion)
export class SchemaVersionResolver {
  @FieldResolver(() => [SchemaVersion], { description: 'Live versions whose references name this one' })
  referencedBy(@Root() version: SchemaVersion, @Ctx() ctx: SchemasContext): Promise<SchemaVersion[]> {
    return ctx.services.registry.liveReferrers(requestScope(ctx), version);
  }
}
