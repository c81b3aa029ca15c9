import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { JSONScalar } from '../../../../lib/src/index';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { CompatibilityMode } from '../compatibility/schema-types';
import type { SchemasContext } from '../context';
import { SchemaVersion } from '../schema-version/schema-version.entity';
import type { SubjectEntity } from '../subject/subject.entity';
import { Subject } from '../subject/subject.type';
import { CompatibilityModeEnum } from './registry.enums';
import { CompatibilityCheck, RegisterSchemaInput, RegistryConfig, ValidationResult } from './registry.types';
import type { RegisterSchemaCommand } from './schema-registry.service';
import { parseVersionSelector } from './version-selector';

const toCommand = (input: RegisterSchemaInput): RegisterSchemaCommand => ({
  subject: input.subject,
  type: input.type,
  schema: input.schema,
  references: (input.references ?? []).map((r) => ({ name: r.name, subject: r.subject, version: r.version })),
});

@Resolver()
export class RegistryResolver {
  @Mutation(() => SchemaVersion, {
    description:
      "Registers a schema under a subject (created on first use). The same schema again returns the existing version. A schema that breaks the subject's mode fails with INCOMPATIBLE_SCHEMA and `extensions.reasons`.",
  })
  async registerSchema(
    @Arg('input', () => RegisterSchemaInput) input: RegisterSchemaInput,
    @Ctx() ctx: SchemasContext,
  ): Promise<SchemaVersion> {
    return (await ctx.services.registry.register(requestScope(ctx), toCommand(input))).version;
  }

  @Query(() => CompatibilityCheck, {
    nullable: true,
    description:
      "Checks a schema against the subject's mode without registering it; `version` compares with that version only",
  })
  checkSchemaCompatibility(
    @Arg('input', () => RegisterSchemaInput) input: RegisterSchemaInput,
    @Arg('version', () => Int, { nullable: true }) version: number | null,
    @Ctx() ctx: SchemasContext,
  ): Promise<CompatibilityCheck> {
    return ctx.services.registry.check(
      requestScope(ctx),
      toCommand(input),
      version === null || version === undefined ? undefined : parseVersionSelector(version),
    );
  }

  @Query(() => ValidationResult, {
    nullable: true,
    description: 'Validates a record (JSON) against a version of a subject; version omitted = the latest',
  })
  validateAgainstSchema(
    @Arg('subject', () => String) subject: string,
    @Arg('version', () => Int, { nullable: true }) version: number | null,
    @Arg('data', () => JSONScalar) data: unknown,
    @Ctx() ctx: SchemasContext,
  ): Promise<ValidationResult> {
    return ctx.services.registry.validate(requestScope(ctx), subject, parseVersionSelector(version), data);
  }

  @Query(() => SchemaVersion, {
    nullable: true,
    description: "A version by global id (soft-deleted ones included), in the viewer's organization",
  })
  schemaVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: SchemasContext): Promise<SchemaVersion | null> {
    return ctx.services.registry.findById(requestScope(ctx), id);
  }

  @Query(() => RegistryConfig, { nullable: true })
  async registryConfig(@Ctx() ctx: SchemasContext): Promise<RegistryConfig> {
    return { compatibility: await ctx.services.registry.organizationCompatibility(requestScope(ctx)) };
  }

  @Mutation(() => Subject, { description: "Sets a subject's mode; null returns it to the organization default" })
  setSubjectCompatibility(
    @Arg('subject', () => String) subject: string,
    @Arg('mode', () => CompatibilityModeEnum, { nullable: true }) mode: CompatibilityMode | null,
    @Ctx() ctx: SchemasContext,
  ): Promise<SubjectEntity> {
    return ctx.services.registry.setSubjectCompatibility(requestScope(ctx), subject, mode ?? null);
  }

  @Mutation(() => RegistryConfig, { description: 'Sets the organization default mode' })
  async setDefaultCompatibility(
    @Arg('mode', () => CompatibilityModeEnum) mode: CompatibilityMode,
    @Ctx() ctx: SchemasContext,
  ): Promise<RegistryConfig> {
    return { compatibility: await ctx.services.registry.setOrganizationCompatibility(requestScope(ctx), mode) };
  }

  @Mutation(() => Int, {
    description: 'Soft-deletes a version (permanent: removes a soft-deleted one); returns its number',
  })
  deleteSchemaVersion(
    @Arg('subject', () => String) subject: string,
    @Arg('version', () => Int) version: number,
    @Arg('permanent', () => Boolean, { defaultValue: false }) permanent: boolean,
    @Ctx() ctx: SchemasContext,
  ): Promise<number> {
    return ctx.services.registry.deleteVersion(requestScope(ctx), subject, parseVersionSelector(version), permanent);
  }

  @Mutation(() => [Int], {
    description:
      'Soft-deletes a subject and its versions (permanent: removes a soft-deleted one); returns the version numbers',
  })
  deleteSubject(
    @Arg('subject', () => String) subject: string,
    @Arg('permanent', () => Boolean, { defaultValue: false }) permanent: boolean,
    @Ctx() ctx: SchemasContext,
  ): Promise<number[]> {
    return ctx.services.registry.deleteSubject(requestScope(ctx), subject, permanent);
  }
}
