import type { EntityManager } from '@mikro-orm/core';
import { BadUserInputError } from '../../../../lib/src/index';
import type { CompatibilityResult } from '../compatibility/compatibility.checker';
import { checkCompatibility } from '../compatibility/compatibility.checker';
import type { CompatibilityMode, ParsedSchema, RecordError, SchemaType } from '../compatibility/schema-types';
import type { SchemaReference } from '../schema-version/schema-version.entity';
import { SchemaVersion } from '../schema-version/schema-version.entity';
import { SubjectEntity } from '../subject/subject.entity';
import { IdSequenceEntity, RegistrySettingsEntity } from './registry-settings.entity';
import { IncompatibleSchemaError, InvalidVersionError, ReferencedVersionError, SchemaNotFoundError, SubjectNotFoundError, VersionNotFoundError } from './registry.errors';
import type { SchemaParser } from './schema-parser.service';

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

export type VersionSelector = number | 'latest';

const MAX_ATTEMPTS = 5;
const GLOBAL_ID_SEQUENCE = 'schema-id';

/** Parses `"latest"`, `-1` (Confluent's alias) or a positive integer. */
export function parseVersionSelector(raw: string | number | null | undefined): VersionSelector {
  if (raw === undefined || raw === null || raw === 'latest' || raw === -1 || raw === '-1') return 'latest';
  const n = typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidVersionError(String(raw));
  return n;
}

/**
 * The schema registry: subjects scoped to an organization, immutable numbered versions with global
 * ids, idempotent registration, compatibility per subject with an organization default, soft delete.
 */
export class SchemaRegistryService {
  constructor(
    readonly parser: SchemaParser,
    private readonly opts: { defaultCompatibility: CompatibilityMode; maxSchemaBytes: number },
  ) {}

  /**
   * Registers `cmd.schema` under `cmd.subject`; returns the existing version when the same schema
   * (same canonical form and references) is already a live version of the subject.
   * @throws IncompatibleSchemaError when the subject's mode refuses it
   */
  async register(em: EntityManager, organizationId: string, userId: string, cmd: RegisterSchemaCommand): Promise<{ version: SchemaVersion; created: boolean }> {
    this.validateCommand(cmd);
    const parsed = await this.parser.parse(em, organizationId, cmd.type, cmd.schema, cmd.references ?? []);
    for (let attempt = 1; ; attempt++) {
      const tx = em.fork();
      try {
        return await tx.transactional(async (t) => {
          const subject = await t.findOne(SubjectEntity, { organizationId, name: cmd.subject });
          const live = subject ? await this.liveVersions(t, subject) : [];
          const existing = live.find((v) => v.fingerprint === parsed.fingerprint && v.type === cmd.type);
          if (existing) return { version: existing, created: false };
          const verdict = await this.checkAgainst(t, organizationId, subject, cmd.type, parsed, live);
          if (!verdict.compatible) throw new IncompatibleSchemaError(cmd.subject, verdict.mode, verdict.violations, verdict.messages);
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
            references: (cmd.references ?? []).map(({ name, subject: s, version: v }) => ({ name, subject: s, version: v })),
            createdById: userId,
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
  async check(em: EntityManager, organizationId: string, cmd: RegisterSchemaCommand, against?: VersionSelector): Promise<CompatibilityVerdict> {
    this.validateCommand(cmd);
    const parsed = await this.parser.parse(em, organizationId, cmd.type, cmd.schema, cmd.references ?? []);
    const subject = await em.findOne(SubjectEntity, { organizationId, name: cmd.subject, deleted: false });
    if (against !== undefined && !subject) throw new SubjectNotFoundError(cmd.subject);
    let live = subject ? await this.liveVersions(em, subject) : [];
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
  async lookup(em: EntityManager, organizationId: string, cmd: RegisterSchemaCommand): Promise<SchemaVersion | null> {
    const subject = await this.findSubject(em, organizationId, cmd.subject);
    const parsed = await this.parser.parse(em, organizationId, cmd.type, cmd.schema, cmd.references ?? []);
    return (await this.liveVersions(em, subject)).find((v) => v.fingerprint === parsed.fingerprint && v.type === cmd.type) ?? null;
  }

  async findSubject(em: EntityManager, organizationId: string, name: string, includeDeleted = false): Promise<SubjectEntity> {
    const subject = await em.findOne(SubjectEntity, { organizationId, name, ...(includeDeleted ? {} : { deleted: false }) });
    if (!subject) throw new SubjectNotFoundError(name);
    return subject;
  }

  async listSubjects(em: EntityManager, organizationId: string, includeDeleted = false): Promise<SubjectEntity[]> {
    return em.find(SubjectEntity, { organizationId, ...(includeDeleted ? {} : { deleted: false }) }, { orderBy: { name: 'asc' } });
  }

  /** Versions of a subject, oldest first. */
  async versions(em: EntityManager, subject: SubjectEntity, includeDeleted = false): Promise<SchemaVersion[]> {
    return em.find(SchemaVersion, { subjectId: subject.id, ...(includeDeleted ? {} : { deleted: false }) }, { orderBy: { version: 'asc' } });
  }

  async getVersion(em: EntityManager, organizationId: string, subjectName: string, selector: VersionSelector, includeDeleted = false): Promise<SchemaVersion> {
    const subject = await this.findSubject(em, organizationId, subjectName, includeDeleted);
    const versions = await this.versions(em, subject, includeDeleted);
    const found = selector === 'latest' ? versions.filter((v) => !v.deleted).at(-1) : versions.find((v) => v.version === selector);
    if (!found) throw new VersionNotFoundError(subjectName, selector);
    return found;
  }

  /** A version by global id, in the caller's organization only (soft-deleted ones included, as Confluent does). */
  async getById(em: EntityManager, organizationId: string, id: string): Promise<SchemaVersion> {
    const found = /^\d+$/.test(id) ? await em.findOne(SchemaVersion, { id, organizationId }) : null;
    if (!found) throw new SchemaNotFoundError(id);
    return found;
  }

  /** Soft-deletes one version (or removes a soft-deleted one for good with `permanent`). @returns its number */
  async deleteVersion(em: EntityManager, organizationId: string, subjectName: string, selector: VersionSelector, permanent = false): Promise<number> {
    const version = await this.getVersion(em, organizationId, subjectName, selector, permanent);
    const referrers = (await this.referencedBy(em, version)).filter((v) => !v.deleted || permanent);
    if (referrers.length) throw new ReferencedVersionError(subjectName, version.version, referrers.map((v) => `"${v.subject}" version ${v.version}`));
    if (permanent) {
      if (!version.deleted) throw new BadUserInputError(`Version ${version.version} of subject "${subjectName}" must be soft-deleted first`, [{ field: 'permanent', message: 'soft-delete first' }]);
      em.remove(version);
    } else version.deleted = true;
    await em.flush();
    return version.version;
  }

  /** Versions (of the same organization) whose references name `target`. */
  async referencedBy(em: EntityManager, target: SchemaVersion): Promise<SchemaVersion[]> {
    const candidates = await em.find(SchemaVersion, { organizationId: target.organizationId }, { orderBy: { globalId: 'asc' } });
    return candidates.filter((v) => v.references.some((r) => r.subject === target.subject && r.version === target.version));
  }

  /** Soft-deletes a subject and its versions (or removes a soft-deleted subject for good). @returns the version numbers */
  async deleteSubject(em: EntityManager, organizationId: string, subjectName: string, permanent = false): Promise<number[]> {
    const subject = await this.findSubject(em, organizationId, subjectName, permanent);
    const versions = await this.versions(em, subject, true);
    for (const v of versions) {
      const outside = (await this.referencedBy(em, v)).filter((x) => x.subjectId !== subject.id && (!x.deleted || permanent));
      if (outside.length) throw new ReferencedVersionError(subjectName, v.version, outside.map((x) => `"${x.subject}" version ${x.version}`));
    }
    if (permanent) {
      if (!subject.deleted) throw new BadUserInputError(`Subject "${subjectName}" must be soft-deleted first`, [{ field: 'permanent', message: 'soft-delete first' }]);
      versions.forEach((v) => em.remove(v));
      em.remove(subject);
    } else {
      subject.deleted = true;
      versions.forEach((v) => (v.deleted = true));
    }
    await em.flush();
    return versions.map((v) => v.version);
  }

  async organizationCompatibility(em: EntityManager, organizationId: string): Promise<CompatibilityMode> {
    return (await em.findOne(RegistrySettingsEntity, { organizationId }))?.compatibility ?? this.opts.defaultCompatibility;
  }

  async setOrganizationCompatibility(em: EntityManager, organizationId: string, mode: CompatibilityMode): Promise<CompatibilityMode> {
    const settings = (await em.findOne(RegistrySettingsEntity, { organizationId })) ?? em.create(RegistrySettingsEntity, { organizationId, compatibility: mode });
    settings.compatibility = mode;
    await em.flush();
    return mode;
  }

  /** The mode in force for a subject: its own, else the organization's. */
  async effectiveCompatibility(em: EntityManager, subject: SubjectEntity): Promise<CompatibilityMode> {
    return subject.compatibility ?? (await this.organizationCompatibility(em, subject.organizationId));
  }

  /** Sets (or with null clears) a subject's own mode; a subject can be configured before its first version. */
  async setSubjectCompatibility(em: EntityManager, organizationId: string, name: string, mode: CompatibilityMode | null): Promise<SubjectEntity> {
    this.validateSubjectName(name);
    const subject = (await em.findOne(SubjectEntity, { organizationId, name })) ?? em.create(SubjectEntity, { organizationId, name });
    subject.compatibility = mode;
    await em.flush();
    return subject;
  }

  /** Validates `data` against a version of a subject (`latest` = the newest live version). */
  async validate(em: EntityManager, organizationId: string, subjectName: string, selector: VersionSelector, data: unknown): Promise<{ version: SchemaVersion; errors: RecordError[] }> {
    const version = await this.getVersion(em, organizationId, subjectName, selector);
    const parsed = await this.parser.parsed(em, version);
    return { version, errors: this.parser.format(version.type).validate(parsed, data) };
  }

  /** Next global id from the sequence row (created from the highest id on first use); a race ends in a unique violation and a retry. */
  private async nextGlobalId(em: EntityManager): Promise<number> {
    let seq = await em.findOne(IdSequenceEntity, { name: GLOBAL_ID_SEQUENCE });
    if (!seq) {
      const last = await em.findOne(SchemaVersion, { globalId: { $gt: 0 } }, { orderBy: { globalId: 'desc' } });
      seq = em.create(IdSequenceEntity, { name: GLOBAL_ID_SEQUENCE, value: last?.globalId ?? 0 });
    }
    seq.value += 1;
    return seq.value;
  }

  private async liveVersions(em: EntityManager, subject: SubjectEntity): Promise<SchemaVersion[]> {
    return em.find(SchemaVersion, { subjectId: subject.id, deleted: false }, { orderBy: { version: 'asc' } });
  }

  private async checkAgainst(em: EntityManager, organizationId: string, subject: SubjectEntity | null, type: SchemaType, parsed: ParsedSchema, live: SchemaVersion[]): Promise<CompatibilityVerdict> {
    const mode = subject ? await this.effectiveCompatibility(em, subject) : await this.organizationCompatibility(em, organizationId);
    if (mode === 'NONE' || !live.length) return { mode, compatible: true, messages: [], violations: [] };
    const latest = live[live.length - 1];
    if (latest.type !== type) {
      const message = `the schema type changed from ${latest.type} to ${type}`;
      return { mode, compatible: false, messages: [message], violations: [{ version: latest.version, direction: 'BACKWARD', path: '#', message }] };
    }
    const previous = await Promise.all(live.filter((v) => v.type === type).map(async (v) => ({ version: v.version, schema: await this.parser.parsed(em, v) })));
    return { mode, ...checkCompatibility(this.parser.format(type), mode, parsed, previous) };
  }

  private validateCommand(cmd: RegisterSchemaCommand): void {
    this.validateSubjectName(cmd.subject);
    if (Buffer.byteLength(cmd.schema, 'utf8') > this.opts.maxSchemaBytes) {
      throw new BadUserInputError(`The schema is larger than ${this.opts.maxSchemaBytes} bytes`, [{ field: 'schema', message: `at most ${this.opts.maxSchemaBytes} bytes` }]);
    }
    for (const [i, r] of (cmd.references ?? []).entries()) {
      if (!r.name || !r.subject || !Number.isSafeInteger(r.version) || r.version < 1) {
        throw new BadUserInputError('Invalid schema reference', [{ field: `references.${i}`, message: 'needs a name, a subject and a positive version' }]);
      }
      if (r.subject === cmd.subject) throw new BadUserInputError('A schema cannot reference its own subject', [{ field: `references.${i}.subject`, message: 'must be another subject' }]);
    }
  }

  private validateSubjectName(name: string): void {
    // eslint-disable-next-line no-control-regex
    if (!name || name.length > 255 || /[\u0000-\u001f]/.test(name)) {
      throw new BadUserInputError('Invalid subject name', [{ field: 'subject', message: 'must be 1 to 255 characters without control characters' }]);
    }
  }
}
