import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { JSONScalar, requireViewer } from '../../../../lib/src/index';
import type { CompatibilityMode } from '../compatibility/schema-types';
import type { SchemasContext } from '../context';
import { SchemaVersion } from '../schema-version/schema-version.entity';
import type { SubjectEntity } from '../subject/subject.entity';
import { Subject } from '../subject/subject.type';
import { CompatibilityModeEnum } from './registry.enums';
import { CompatibilityCheck, RegisterSchemaInput, RegistryConfig, ValidationResult } from './registry.types';
import type { RegisterSchemaCommand } from './schema-registry.service';
import { parseVersionSelector } from './schema-registry.service';

const toCommand = (input: RegisterSchemaInput): RegisterSchemaCommand => ({
  subject: input.subject,
  type: input.type,
  schema: input.schema,
  references: (input.references ?? []).map((r) => ({ name: r.name, subject: r.subject, version: r.version })),
});

@Resolver()
export class RegistryResolver {
  @Mutation(() => SchemaVersion, {
    description: 'Registers a schema under a subject (created on first use). The same schema again returns the existing version. A schema that breaks the subject\'s mode fails with INCOMPATIBLE_SCHEMA and `extensions.reasons`.',
  })
  async registerSchema(@Arg('input', () => RegisterSchemaInput) input: RegisterSchemaInput, @Ctx() ctx: SchemasContext): Promise<SchemaVersion> {
    const viewer = requireViewer(ctx.viewer);
    return (await ctx.registry.register(ctx.em, viewer.organizationId, viewer.id, toCommand(input))).version;
  }

  @Query(() => CompatibilityCheck, { description: 'Checks a schema against the subject\'s mode without registering it; `version` compares with that version only' })
  async checkSchemaCompatibility(
    @Arg('input', () => RegisterSchemaInput) input: RegisterSchemaInput,
    @Arg('version', () => Int, { nullable: true }) version: number | null,
    @Ctx() ctx: SchemasContext,
  ): Promise<CompatibilityCheck> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.registry.check(ctx.em, viewer.organizationId, toCommand(input), version === null || version === undefined ? undefined : parseVersionSelector(version));
  }

  @Query(() => ValidationResult, { description: 'Validates a record (JSON) against a version of a subject; version omitted = the latest' })
  async validateAgainstSchema(
    @Arg('subject', () => String) subject: string,
    @Arg('version', () => Int, { nullable: true }) version: number | null,
    @Arg('data', () => JSONScalar) data: unknown,
    @Ctx() ctx: SchemasContext,
  ): Promise<ValidationResult> {
    const viewer = requireViewer(ctx.viewer);
    const result = await ctx.registry.validate(ctx.em, viewer.organizationId, subject, parseVersionSelector(version), data);
    return { valid: result.errors.length === 0, version: result.version.version, errors: result.errors };
  }

  @Query(() => SchemaVersion, { nullable: true, description: 'A version by global id (soft-deleted ones included), in the viewer\'s organization' })
  async schemaVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: SchemasContext): Promise<SchemaVersion | null> {
    const viewer = requireViewer(ctx.viewer);
    return /^\d+$/.test(id) ? ctx.em.findOne(SchemaVersion, { id, organizationId: viewer.organizationId }) : null;
  }

  @Query(() => RegistryConfig)
  async registryConfig(@Ctx() ctx: SchemasContext): Promise<RegistryConfig> {
    const viewer = requireViewer(ctx.viewer);
    return { compatibility: await ctx.registry.organizationCompatibility(ctx.em, viewer.organizationId) };
  }

  @Mutation(() => Subject, { description: 'Sets a subject\'s mode; null returns it to the organization default' })
  async setSubjectCompatibility(
    @Arg('subject', () => String) subject: string,
    @Arg('mode', () => CompatibilityModeEnum, { nullable: true }) mode: CompatibilityMode | null,
    @Ctx() ctx: SchemasContext,
  ): Promise<SubjectEntity> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.registry.setSubjectCompatibility(ctx.em, viewer.organizationId, subject, mode ?? null);
  }

  @Mutation(() => RegistryConfig, { description: 'Sets the organization default mode' })
  async setDefaultCompatibility(@Arg('mode', () => CompatibilityModeEnum) mode: CompatibilityMode, @Ctx() ctx: SchemasContext): Promise<RegistryConfig> {
    const viewer = requireViewer(ctx.viewer);
    return { compatibility: await ctx.registry.setOrganizationCompatibility(ctx.em, viewer.organizationId, mode) };
  }

  @Mutation(() => Int, { description: 'Soft-deletes a version (permanent: removes a soft-deleted one); returns its number' })
  async deleteSchemaVersion(
    @Arg('subject', () => String) subject: string,
    @Arg('version', () => Int) version: number,
    @Arg('permanent', () => Boolean, { defaultValue: false }) permanent: boolean,
    @Ctx() ctx: SchemasContext,
  ): Promise<number> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.registry.deleteVersion(ctx.em, viewer.organizationId, subject, parseVersionSelector(version), permanent);
  }

  @Mutation(() => [Int], { description: 'Soft-deletes a subject and its versions (permanent: removes a soft-deleted one); returns the version numbers' })
  async deleteSubject(
    @Arg('subject', () => String) subject: string,
    @Arg('permanent', () => Boolean, { defaultValue: false }) permanent: boolean,
    @Ctx() ctx: SchemasContext,
  ): Promise<number[]> {
    const viewer = requireViewer(ctx.viewer);
    return ctx.registry.deleteSubject(ctx.em, viewer.organizationId, subject, permanent);
  }
}
