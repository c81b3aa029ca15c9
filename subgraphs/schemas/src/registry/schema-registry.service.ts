import type { EntityManager } from '@mikro-orm/core';
import { BadUserInputError } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { CompatibilityResult } from '../compatibility/compatibility.checker';
import { checkCompatibility } from '../compatibility/compatibility.checker';
import type { CompatibilityMode, ParsedSchema, RecordError, SchemaType } from '../compatibility/schema-types';
import type { SchemaReference } from '../schema-version/schema-version.entity';
import { SchemaVersion } from '../schema-version/schema-version.entity';
import { SubjectEntity } from '../subject/subject.entity';
import type { SubjectRepository } from '../subject/subject.repository';
import { IdSequenceEntity, RegistrySettingsEntity } from './registry-settings.entity';
import type { RegistryRepository } from './registry.repository';
import {
  IncompatibleSchemaError,
  ReferencedVersionError,
  SchemaNotFoundError,
  SubjectNotFoundError,
  VersionNotFoundError,
} from './registry.errors';
import type { SchemaParser } from './schema.parser';
import type { VersionSelector } from './version-selector';

export interface RegisterSchemaCommand {
  subject: string;
  type: SchemaType;
  schema: string;
  references?: SchemaReference[];
}

/** A compatibility verdict with the mode it was taken under. */
export interface CompatibilityVerdict extends CompatibilityResult {
  mode: CompatibilityMode;
}

/** A record checked against a version: the problems found (none = valid). */
export interface RecordValidation {
  valid: boolean;
  /** The version number it was checked against. */
  version: number;
  errors: RecordError[];
}

/** What the registry is built with, besides its repositories (config.ts). */
export interface RegistrySettings {
  /** Mode of an organization that never set one. */
  defaultCompatibility: CompatibilityMode;
  /** Largest schema text accepted (bytes). */
  maxSchemaBytes: number;
}

const MAX_ATTEMPTS = 5;
const GLOBAL_ID_SEQUENCE = 'schema-id';
const isGlobalId = (id: string): boolean => /^\d+$/.test(id);

/**
 * The schema registry: subjects scoped to an organization, immutable numbered versions with global
 * ids, idempotent registration, compatibility per subject with an organization default, soft delete.
 * Built once per process; every method works in the caller's organization (`scope.viewer`) and
 * unit of work (`scope.em`).
 */
export class SchemaRegistryService {
  constructor(
    private readonly subjects: SubjectRepository,
    private readonly registry: RegistryRepository,
    private readonly parser: SchemaParser,
    private readonly settings: RegistrySettings,
  ) {}

  /**
   * Registers `cmd.schema` under `cmd.subject`; returns the existing version when the same schema
   * (same canonical form and references) is already a live version of the subject.
   * @throws IncompatibleSchemaError when the subject's mode refuses it
   */
  async register(
    { viewer, em }: RequestScope,
    cmd: RegisterSchemaCommand,
  ): Promise<{ version: SchemaVersion; created: boolean }> {
    const organizationId = viewer.organizationId;
    this.validateCommand(cmd);
    const parsed = await this.parser.parse(em, organizationId, cmd.type, cmd.schema, cmd.references ?? []);
    for (let attempt = 1; ; attempt++) {
      const tx = em.fork();
      try {
        return await tx.transactional(async (t) => {
          const subject = await this.subjects.findByName(t, organizationId, cmd.subject, true);
          const live = subject ? await this.subjects.versionsOf(t, subject.id) : [];
          const existing = live.find((v) => v.fingerprint === parsed.fingerprint && v.type === cmd.type);
          if (existing) return { version: existing, created: false };
          const verdict = await this.checkAgainst(t, organizationId, subject, cmd.type, parsed, live);
          if (!verdict.compatible)
            throw new IncompatibleSchemaError(cmd.subject, verdict.mode, verdict.violations, verdict.messages);
          const owner = subject ?? t.create(SubjectEntity, { organizationId, name: cmd.subject });
          owner.deleted = false;
          const number = owner.nextVersion;
          owner.nextVersion = number + 1;
          const globalId = await this.nextGlobalId(t);
          const version = t.create(SchemaVersion, {
            id: String(globalId),
            globalId,
            organizationId,
            subjectId: owner.id,
            subject: cmd.subject,
            version: number,
            type: cmd.type,
            schema: cmd.schema,
            canonicalSchema: parsed.canonical,
            fingerprint: parsed.fingerprint,
            references: (cmd.references ?? []).map(({ name, subject: s, version: v }) => ({
              name,
              subject: s,
              version: v,
            })),
            createdById: viewer.id,
          });
          return { version, created: true };
        });
      } catch (err) {
        // Two registrations raced for the same version number or global id: retry on fresh state.
        if ((err as Error).name === 'UniqueConstraintViolationException' && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  /**
   * Checks `cmd` against the subject under its mode without registering. With `against` set to a
   * version number, compares with that version only (Confluent's `/compatibility/.../versions/{v}`).
   */
  async check(
    { viewer, em }: RequestScope,
    cmd: RegisterSchemaCommand,
    against?: VersionSelector,
  ): Promise<CompatibilityVerdict> {
    const organizationId = viewer.organizationId;
    this.validateCommand(cmd);
    const parsed = await this.parser.parse(em, organizationId, cmd.type, cmd.schema, cmd.references ?? []);
    const subject = await this.subjects.findByName(em, organizationId, cmd.subject);
    if (against !== undefined && !subject) throw new SubjectNotFoundError(cmd.subject);
    let live = subject ? await this.subjects.versionsOf(em, subject.id) : [];
    if (typeof against === 'number') {
      const one = live.find((v) => v.version === against);
      if (!one) throw new VersionNotFoundError(cmd.subject, against);
      live = [one];
    } else if (against === 'latest' && !live.length) {
      throw new VersionNotFoundError(cmd.subject, 'latest');
    }
    return this.checkAgainst(em, organizationId, subject, cmd.type, parsed, live);
  }

  /** The live version of `subject` whose schema equals `cmd`'s, or null (Confluent `POST /subjects/{s}`). */
  async lookup(scope: RequestScope, cmd: RegisterSchemaCommand): Promise<SchemaVersion | null> {
    const subject = await this.findSubject(scope, cmd.subject);
    const parsed = await this.parser.parse(
      scope.em,
      scope.viewer.organizationId,
      cmd.type,
      cmd.schema,
      cmd.references ?? [],
    );
    return (
      (await this.subjects.versionsOf(scope.em, subject.id)).find(
        (v) => v.fingerprint === parsed.fingerprint && v.type === cmd.type,
      ) ?? null
    );
  }

  /** A live subject of the caller's organization by name, or null. */
  subjectNamed({ viewer, em }: RequestScope, name: string): Promise<SubjectEntity | null> {
    return this.subjects.findByName(em, viewer.organizationId, name);
  }

  /** @throws SubjectNotFoundError when the organization has no such subject (soft-deleted ones count with `includeDeleted`) */
  async findSubject({ viewer, em }: RequestScope, name: string, includeDeleted = false): Promise<SubjectEntity> {
    const subject = await this.subjects.findByName(em, viewer.organizationId, name, includeDeleted);
    if (!subject) throw new SubjectNotFoundError(name);
    return subject;
  }

  listSubjects({ viewer, em }: RequestScope, includeDeleted = false): Promise<SubjectEntity[]> {
    return this.subjects.list(em, viewer.organizationId, includeDeleted);
  }

  /** Versions of a subject, oldest first. */
  versions({ em }: RequestScope, subject: SubjectEntity, includeDeleted = false): Promise<SchemaVersion[]> {
    return this.subjects.versionsOf(em, subject.id, includeDeleted);
  }

  /** The newest live version of a subject, or null. */
  async latestVersion({ em }: RequestScope, subject: SubjectEntity): Promise<SchemaVersion | null> {
    return (await this.subjects.versionsOf(em, subject.id)).at(-1) ?? null;
  }

  async getVersion(
    scope: RequestScope,
    subjectName: string,
    selector: VersionSelector,
    includeDeleted = false,
  ): Promise<SchemaVersion> {
    const subject = await this.findSubject(scope, subjectName, includeDeleted);
    const versions = await this.subjects.versionsOf(scope.em, subject.id, includeDeleted);
    const found =
      selector === 'latest' ? versions.filter((v) => !v.deleted).at(-1) : versions.find((v) => v.version === selector);
    if (!found) throw new VersionNotFoundError(subjectName, selector);
    return found;
  }

  /** A version by global id in the caller's organization (soft-deleted ones included, as Confluent does), or null. */
  async findById({ viewer, em }: RequestScope, id: string): Promise<SchemaVersion | null> {
    return isGlobalId(id) ? this.subjects.findVersionInOrganization(em, viewer.organizationId, id) : null;
  }

  /** A version by global id, in the caller's organization only (soft-deleted ones included, as Confluent does). */
  async getById(scope: RequestScope, id: string): Promise<SchemaVersion> {
    const found = await this.findById(scope, id);
    if (!found) throw new SchemaNotFoundError(id);
    return found;
  }

  /** `SchemaVersion` for other subgraphs, in the viewer's organization (the reference policy checks `schemas:read`). */
  versionReference(scope: RequestScope, id: string): Promise<SchemaVersion | null> {
    return this.findById(scope, id);
  }

  /** `Subject` for other subgraphs, in the viewer's organization (the reference policy checks `schemas:read`). */
  subjectReference({ viewer, em }: RequestScope, id: string): Promise<SubjectEntity | null> {
    return this.subjects.findInOrganization(em, viewer.organizationId, id);
  }

  /** Soft-deletes one version (or removes a soft-deleted one for good with `permanent`). @returns its number */
  async deleteVersion(
    scope: RequestScope,
    subjectName: string,
    selector: VersionSelector,
    permanent = false,
  ): Promise<number> {
    const { em } = scope;
    const version = await this.getVersion(scope, subjectName, selector, permanent);
    const referrers = (await this.referencedBy(scope, version)).filter((v) => !v.deleted || permanent);
    if (referrers.length)
      throw new ReferencedVersionError(
        subjectName,
        version.version,
        referrers.map((v) => `"${v.subject}" version ${v.version}`),
      );
    if (permanent) {
      if (!version.deleted)
        throw new BadUserInputError(
          `Version ${version.version} of subject "${subjectName}" must be soft-deleted first`,
          [{ field: 'permanent', message: 'soft-delete first' }],
        );
      em.remove(version);
    } else version.deleted = true;
    await em.flush();
    return version.version;
  }

  /** Versions (of the same organization) whose references name `target`. */
  async referencedBy({ em }: RequestScope, target: SchemaVersion): Promise<SchemaVersion[]> {
    const candidates = await this.subjects.versionsInOrganization(em, target.organizationId);
    return candidates.filter((v) =>
      v.references.some((r) => r.subject === target.subject && r.version === target.version),
    );
  }

  /** Live versions whose references name `target`. */
  async liveReferrers(scope: RequestScope, target: SchemaVersion): Promise<SchemaVersion[]> {
    return (await this.referencedBy(scope, target)).filter((v) => !v.deleted);
  }

  /** Soft-deletes a subject and its versions (or removes a soft-deleted subject for good). @returns the version numbers */
  async deleteSubject(scope: RequestScope, subjectName: string, permanent = false): Promise<number[]> {
    const { em } = scope;
    const subject = await this.findSubject(scope, subjectName, permanent);
    const versions = await this.subjects.versionsOf(em, subject.id, true);
    for (const v of versions) {
      const outside = (await this.referencedBy(scope, v)).filter(
        (x) => x.subjectId !== subject.id && (!x.deleted || permanent),
      );
      if (outside.length)
        throw new ReferencedVersionError(
          subjectName,
          v.version,
          outside.map((x) => `"${x.subject}" version ${x.version}`),
        );
    }
    if (permanent) {
      if (!subject.deleted)
        throw new BadUserInputError(`Subject "${subjectName}" must be soft-deleted first`, [
          { field: 'permanent', message: 'soft-delete first' },
        ]);
      versions.forEach((v) => em.remove(v));
      em.remove(subject);
    } else {
      subject.deleted = true;
      versions.forEach((v) => (v.deleted = true));
    }
    await em.flush();
    return versions.map((v) => v.version);
  }

  /** The caller's organization default mode. */
  organizationCompatibility({ viewer, em }: RequestScope): Promise<CompatibilityMode> {
    return this.compatibilityOf(em, viewer.organizationId);
  }

  async setOrganizationCompatibility(
    { viewer, em }: RequestScope,
    mode: CompatibilityMode,
  ): Promise<CompatibilityMode> {
    const settings =
      (await this.registry.settingsOf(em, viewer.organizationId)) ??
      em.create(RegistrySettingsEntity, { organizationId: viewer.organizationId, compatibility: mode });
    settings.compatibility = mode;
    await em.flush();
    return mode;
  }

  /** The mode in force for a subject: its own, else the organization's. */
  async effectiveCompatibility({ em }: RequestScope, subject: SubjectEntity): Promise<CompatibilityMode> {
    return subject.compatibility ?? (await this.compatibilityOf(em, subject.organizationId));
  }

  /** Sets (or with null clears) a subject's own mode; a subject can be configured before its first version. */
  async setSubjectCompatibility(
    { viewer, em }: RequestScope,
    name: string,
    mode: CompatibilityMode | null,
  ): Promise<SubjectEntity> {
    this.validateSubjectName(name);
    const subject =
      (await this.subjects.findByName(em, viewer.organizationId, name, true)) ??
      em.create(SubjectEntity, { organizationId: viewer.organizationId, name });
    subject.compatibility = mode;
    await em.flush();
    return subject;
  }

  /** Validates `data` against a version of a subject (`latest` = the newest live version). */
  async validate(
    scope: RequestScope,
    subjectName: string,
    selector: VersionSelector,
    data: unknown,
  ): Promise<RecordValidation> {
    const version = await this.getVersion(scope, subjectName, selector);
    const parsed = await this.parser.parsed(scope.em, version);
    const errors = this.parser.format(version.type).validate(parsed, data);
    return { valid: errors.length === 0, version: version.version, errors };
  }

  private async compatibilityOf(em: EntityManager, organizationId: string): Promise<CompatibilityMode> {
    return (await this.registry.settingsOf(em, organizationId))?.compatibility ?? this.settings.defaultCompatibility;
  }

  /** Next global id from the sequence row (created from the highest id on first use); a race ends in a unique violation and a retry. */
  private async nextGlobalId(em: EntityManager): Promise<number> {
    const seq =
      (await this.registry.sequence(em, GLOBAL_ID_SEQUENCE)) ??
      em.create(IdSequenceEntity, { name: GLOBAL_ID_SEQUENCE, value: await this.subjects.highestGlobalId(em) });
    seq.value += 1;
    return seq.value;
  }

  private async checkAgainst(
    em: EntityManager,
    organizationId: string,
    subject: SubjectEntity | null,
    type: SchemaType,
    parsed: ParsedSchema,
    live: SchemaVersion[],
  ): Promise<CompatibilityVerdict> {
    const mode = subject?.compatibility ?? (await this.compatibilityOf(em, organizationId));
    if (mode === 'NONE' || !live.length) return { mode, compatible: true, messages: [], violations: [] };
    const latest = live[live.length - 1]!;
    if (latest.type !== type) {
      const message = `the schema type changed from ${latest.type} to ${type}`;
      return {
        mode,
        compatible: false,
        messages: [message],
        violations: [{ version: latest.version, direction: 'BACKWARD', path: '#', message }],
      };
    }
    const previous = await Promise.all(
      live
        .filter((v) => v.type === type)
        .map(async (v) => ({ version: v.version, schema: await this.parser.parsed(em, v) })),
    );
    return { mode, ...checkCompatibility(this.parser.format(type), mode, parsed, previous) };
  }

  private validateCommand(cmd: RegisterSchemaCommand): void {
    this.validateSubjectName(cmd.subject);
    if (Buffer.byteLength(cmd.schema, 'utf8') > this.settings.maxSchemaBytes) {
      throw new BadUserInputError(`The schema is larger than ${this.settings.maxSchemaBytes} bytes`, [
        { field: 'schema', message: `at most ${this.settings.maxSchemaBytes} bytes` },
      ]);
    }
    for (const [i, r] of (cmd.references ?? []).entries()) {
      if (!r.name || !r.subject || !Number.isSafeInteger(r.version) || r.version < 1) {
        throw new BadUserInputError('Invalid schema reference', [
          { field: `references.${i}`, message: 'needs a name, a subject and a positive version' },
        ]);
      }
      if (r.subject === cmd.subject)
        throw new BadUserInputError('A schema cannot reference its own subject', [
          { field: `references.${i}.subject`, message: 'must be another subject' },
        ]);
    }
  }

  private validateSubjectName(name: string): void {
    // eslint-disable-next-line no-control-regex
    if (!name || name.length > 255 || /[\u0000-\u001f]/.test(name)) {
      throw new BadUserInputError('Invalid subject name', [
        { field: 'subject', message: 'must be 1 to 255 characters without control characters' },
      ]);
    }
  }
}
