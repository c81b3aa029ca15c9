import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { requireViewer } from '../../../../lib/src/index';
import type { CompatibilityMode } from '../compatibility/schema-types';
import type { SchemasContext } from '../context';
import { OrganizationRef } from '../federation/references.type';
import { CompatibilityModeEnum } from '../registry/registry.enums';
import { SchemaVersion } from '../schema-version/schema-version.entity';
import { SubjectEntity } from './subject.entity';
import { Subject } from './subject.type';

@Resolver(() => Subject)
export class SubjectResolver {
  @Query(() => Subject, { nullable: true, description: 'A subject of the viewer\'s organization, or null' })
  async subject(@Arg('name', () => String) name: string, @Ctx() ctx: SchemasContext): Promise<SubjectEntity | null> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.em.findOne(SubjectEntity, { organizationId: viewer.organizationId, name, deleted: false });
  }

  @Query(() => [Subject], { description: 'Subjects of the viewer\'s organization, by name' })
  async subjects(@Arg('includeDeleted', () => Boolean, { defaultValue: false }) includeDeleted: boolean, @Ctx() ctx: SchemasContext): Promise<SubjectEntity[]> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.registry.listSubjects(ctx.em, viewer.organizationId, includeDeleted);
  }

  @FieldResolver(() => CompatibilityModeEnum, { description: 'The mode in force: the subject\'s own, else the organization default' })
  async compatibility(@Root() subject: SubjectEntity, @Ctx() ctx: SchemasContext): Promise<CompatibilityMode> {
    return ctx.registry.effectiveCompatibility(ctx.em, subject);
  }

  @FieldResolver(() => CompatibilityModeEnum, { nullable: true, description: 'The subject\'s own mode, null when it follows the organization default' })
  compatibilityOverride(@Root() subject: SubjectEntity): CompatibilityMode | null {
    return subject.compatibility;
  }

  @FieldResolver(() => [SchemaVersion], { description: 'Versions, oldest first' })
  async versions(@Root() subject: SubjectEntity, @Arg('includeDeleted', () => Boolean, { defaultValue: false }) includeDeleted: boolean, @Ctx() ctx: SchemasContext): Promise<SchemaVersion[]> {
    return ctx.registry.versions(ctx.em, subject, includeDeleted);
  }

  @FieldResolver(() => SchemaVersion, { nullable: true, description: 'The newest live version' })
  async latestVersion(@Root() subject: SubjectEntity, @Ctx() ctx: SchemasContext): Promise<SchemaVersion | null> {
    return (await ctx.registry.versions(ctx.em, subject)).at(-1) ?? null;
  }

  @FieldResolver(() => OrganizationRef)
  organization(@Root() subject: SubjectEntity): OrganizationRef {
    return { id: subject.organizationId };
  }
}
