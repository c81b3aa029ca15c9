import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { CompatibilityMode } from '../compatibility/schema-types';
import type { SchemasContext } from '../context';
import { OrganizationRef } from '../federation/references.type';
import { CompatibilityModeEnum } from '../registry/registry.enums';
import { SchemaVersion } from '../schema-version/schema-version.entity';
import type { SubjectEntity } from './subject.entity';
import { Subject } from './subject.type';

@Resolver(() => Subject)
export class SubjectResolver {
  @Query(() => Subject, { nullable: true, description: "A subject of the viewer's organization, or null" })
  subject(@Arg('name', () => String) name: string, @Ctx() ctx: SchemasContext): Promise<SubjectEntity | null> {
    return ctx.services.registry.subjectNamed(requestScope(ctx), name);
  }

  @Query(() => [Subject], { nullable: true, description: "Subjects of the viewer's organization, by name" })
  subjects(
    @Arg('includeDeleted', () => Boolean, { defaultValue: false }) includeDeleted: boolean,
    @Ctx() ctx: SchemasContext,
  ): Promise<SubjectEntity[]> {
    return ctx.services.registry.listSubjects(requestScope(ctx), includeDeleted);
  }

  @FieldResolver(() => CompatibilityModeEnum, {
    description: "The mode in force: the subject's own, else the organization default",
  })
  compatibility(@Root() subject: SubjectEntity, @Ctx() ctx: SchemasContext): Promise<CompatibilityMode> {
    return ctx.services.registry.effectiveCompatibility(requestScope(ctx), subject);
  }

  @FieldResolver(() => CompatibilityModeEnum, {
    nullable: true,
    description: "The subject's own mode, null when it follows the organization default",
  })
  compatibilityOverride(@Root() subject: SubjectEntity): CompatibilityMode | null {
    return subject.compatibility;
  }

  @FieldResolver(() => [SchemaVersion], { description: 'Versions, oldest first' })
  versions(
    @Root() subject: SubjectEntity,
    @Arg('includeDeleted', () => Boolean, { defaultValue: false }) includeDeleted: boolean,
    @Ctx() ctx: SchemasContext,
  ): Promise<SchemaVersion[]> {
    return ctx.services.registry.versions(requestScope(ctx), subject, includeDeleted);
  }

  @FieldResolver(() => SchemaVersion, { nullable: true, description: 'The newest live version' })
  latestVersion(@Root() subject: SubjectEntity, @Ctx() ctx: SchemasContext): Promise<SchemaVersion | null> {
    return ctx.services.registry.latestVersion(requestScope(ctx), subject);
  }

  @FieldResolver(() => OrganizationRef)
  organization(@Root() subject: SubjectEntity): OrganizationRef {
    return { id: subject.organizationId };
  }
}
