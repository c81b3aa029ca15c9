import type { MikroORM } from '@mikro-orm/core';
import type { Express, NextFunction, Request, Response } from 'express';
import express from 'express';
import type { Logger, TokenVerifier } from '../../../../lib/src/index';
import { BadUserInputError, bearerToken, jsonBody } from '../../../../lib/src/index';
import type { RequestScope } from '../../../../lib/src/kit/request-scope';
import type { CompatibilityMode, SchemaType } from '../compatibility/schema-types';
import { COMPATIBILITY_MODES, SCHEMA_TYPES } from '../compatibility/schema-types';
import { CONFLUENT_CODES } from '../registry/registry.errors';
import type { RegisterSchemaCommand } from '../registry/schema-registry.service';
import { parseVersionSelector } from '../registry/version-selector';
import type { SchemaVersion } from '../schema-version/schema-version.entity';
import type { SchemasServices } from '../schemas.services';
import { ConfluentHttpError, sendConfluent, sendConfluentError } from './confluent.errors';

interface Deps {
  orm: MikroORM;
  verify: TokenVerifier;
  services: SchemasServices;
  logger: Logger;
  bodyLimitBytes: number;
}

/** A route's work: the request and its scope (the token's viewer, a fresh EntityManager fork). */
type Handler = (ctx: { req: Request; scope: RequestScope }) => Promise<unknown>;

const PREFIX = /^\/(subjects|schemas|config|compatibility)(\/|$)/;
const flag = (v: unknown) => v === 'true';

/**
 * The access token of a request: `Bearer <token>`, or HTTP Basic with the token as password
 * (`basic.auth.user.info=token:<access token>`) for Confluent clients and tools that only speak Basic.
 */
function presentedToken(header: string | undefined): string | undefined {
  if (header && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && decoded.slice(colon + 1) ? decoded.slice(colon + 1) : undefined;
  }
  return bearerToken(header) ?? undefined;
}

/** Confluent's version body: `schemaType` and `references` only when not the defaults. */
function versionBody(v: SchemaVersion, withSubject = true): Record<string, unknown> {
  return {
    ...(withSubject ? { subject: v.subject, version: v.version } : {}),
    id: v.globalId,
    ...(v.type !== 'AVRO' ? { schemaType: v.type } : {}),
    ...(v.references.length ? { references: v.references } : {}),
    schema: v.schema,
  };
}

function command(subject: string, body: unknown): RegisterSchemaCommand {
  const b = (body ?? {}) as { schema?: unknown; schemaType?: unknown; references?: unknown };
  if (typeof b.schema !== 'string' || !b.schema.trim())
    throw new ConfluentHttpError(422, CONFLUENT_CODES.invalidSchema, 'Empty schema');
  const type = b.schemaType === undefined || b.schemaType === null ? 'AVRO' : String(b.schemaType).toUpperCase();
  if (!(SCHEMA_TYPES as readonly string[]).includes(type))
    throw new ConfluentHttpError(422, CONFLUENT_CODES.invalidSchema, `Invalid schema type ${String(b.schemaType)}`);
  const refs = b.references === undefined || b.references === null ? [] : b.references;
  if (!Array.isArray(refs))
    throw new ConfluentHttpError(422, CONFLUENT_CODES.invalidSchema, 'references must be an array');
  return {
    subject,
    type: type as SchemaType,
    schema: b.schema,
    references: refs.map((r: { name?: unknown; subject?: unknown; version?: unknown }) => ({
      name: String(r?.name ?? ''),
      subject: String(r?.subject ?? ''),
      version: Number(r?.version),
    })),
  };
}

function mode(body: unknown): CompatibilityMode {
  const raw = String((body as { compatibility?: unknown } | undefined)?.compatibility ?? '').toUpperCase();
  if (!(COMPATIBILITY_MODES as readonly string[]).includes(raw))
    throw new ConfluentHttpError(422, CONFLUENT_CODES.invalidCompatibility, 'Invalid compatibility level');
  return raw as CompatibilityMode;
}

/**
 * The Confluent Schema Registry REST API (the calls serializers and tools make), at the service
 * root: `/subjects`, `/schemas`, `/config`, `/compatibility`. Bearer tokens of the platform
 * authenticate; `schemas:read` reads, `schemas:write` registers, deletes and configures.
 */
export function mountConfluentRoutes(app: Express, deps: Deps): void {
  const router = express.Router();
  router.use((req, _res, next) => (PREFIX.test(req.path) ? next() : next('router')));
  router.use(
    jsonBody({
      limit: deps.bodyLimitBytes,
      type: [
        'application/json',
        'application/vnd.schemaregistry.v1+json',
        'application/vnd.schemaregistry+json',
        'application/octet-stream',
      ],
    }),
  );

  const route =
    (permission: 'schemas:read' | 'schemas:write', handler: Handler, status = 200) =>
    async (req: Request, res: Response) => {
      try {
        const token = presentedToken(req.headers.authorization);
        if (!token)
          throw new ConfluentHttpError(
            401,
            40101,
            'Authentication required: send Authorization: Bearer <access token> (or Basic with the token as password)',
          );
        const viewer = await deps.verify(token).catch((err: Error) => {
          throw new ConfluentHttpError(401, 40101, `Invalid token: ${err.message}`);
        });
        if (!viewer.permissions.includes(permission))
          throw new ConfluentHttpError(403, 40301, `Missing permission ${permission}`);
        const body = await handler({ req, scope: { viewer, em: deps.orm.em.fork() } });
        if (typeof body === 'string' && req.path.endsWith('/schema'))
          res.status(status).type('application/vnd.schemaregistry.v1+json').send(body);
        else sendConfluent(res, status, body);
      } catch (err) {
        sendConfluentError(res, err, deps.logger);
      }
    };
  const r = deps.services.registry;
  const p = (req: Request, name: string) => String(req.params[name]);

  router.get(
    '/schemas/types',
    route('schemas:read', async () => [...SCHEMA_TYPES]),
  );
  router.get(
    '/schemas/ids/:id',
    route('schemas:read', async ({ req, scope }) => versionBody(await r.getById(scope, p(req, 'id')), false)),
  );
  router.get(
    '/schemas/ids/:id/schema',
    route('schemas:read', async ({ req, scope }) => (await r.getById(scope, p(req, 'id'))).schema),
  );
  router.get(
    '/schemas/ids/:id/versions',
    route('schemas:read', async ({ req, scope }) => {
      const v = await r.getById(scope, p(req, 'id'));
      return [{ subject: v.subject, version: v.version }];
    }),
  );

  router.get(
    '/schemas/ids/:id/subjects',
    route('schemas:read', async ({ req, scope }) => [(await r.getById(scope, p(req, 'id'))).subject]),
  );
  router.get(
    '/subjects/:subject/versions/:version/referencedby',
    route('schemas:read', async ({ req, scope }) => {
      const target = await r.getVersion(scope, p(req, 'subject'), parseVersionSelector(p(req, 'version')));
      return (await r.referencedBy(scope, target)).filter((v) => !v.deleted).map((v) => v.globalId);
    }),
  );

  router.get(
    '/subjects',
    route('schemas:read', async ({ req, scope }) =>
      (await r.listSubjects(scope, flag(req.query.deleted))).map((s) => s.name),
    ),
  );
  router.get(
    '/subjects/:subject/versions',
    route('schemas:read', async ({ req, scope }) => {
      const subject = await r.findSubject(scope, p(req, 'subject'), flag(req.query.deleted));
      return (await r.versions(scope, subject, flag(req.query.deleted))).map((v) => v.version);
    }),
  );
  router.post(
    '/subjects/:subject/versions',
    route('schemas:write', async ({ req, scope }) => {
      const { version } = await r.register(scope, command(p(req, 'subject'), req.body));
      return { id: version.globalId };
    }),
  );
  router.post(
    '/subjects/:subject',
    route('schemas:read', async ({ req, scope }) => {
      const found = await r.lookup(scope, command(p(req, 'subject'), req.body));
      if (!found) throw new ConfluentHttpError(404, CONFLUENT_CODES.schemaNotFound, 'Schema not found');
      return versionBody(found);
    }),
  );
  router.get(
    '/subjects/:subject/versions/:version',
    route('schemas:read', async ({ req, scope }) =>
      versionBody(
        await r.getVersion(scope, p(req, 'subject'), parseVersionSelector(p(req, 'version')), flag(req.query.deleted)),
      ),
    ),
  );
  router.get(
    '/subjects/:subject/versions/:version/schema',
    route(
      'schemas:read',
      async ({ req, scope }) =>
        (await r.getVersion(scope, p(req, 'subject'), parseVersionSelector(p(req, 'version')))).schema,
    ),
  );
  router.delete(
    '/subjects/:subject/versions/:version',
    route('schemas:write', async ({ req, scope }) =>
      r.deleteVersion(scope, p(req, 'subject'), parseVersionSelector(p(req, 'version')), flag(req.query.permanent)),
    ),
  );
  router.delete(
    '/subjects/:subject',
    route('schemas:write', async ({ req, scope }) =>
      r.deleteSubject(scope, p(req, 'subject'), flag(req.query.permanent)),
    ),
  );

  const compatibility: Handler = async ({ req, scope }) => {
    const selector = req.params.version === undefined ? undefined : parseVersionSelector(p(req, 'version'));
    const verdict = await r.check(scope, command(p(req, 'subject'), req.body), selector);
    return flag(req.query.verbose)
      ? { is_compatible: verdict.compatible, messages: verdict.messages }
      : { is_compatible: verdict.compatible };
  };
  router.post('/compatibility/subjects/:subject/versions/:version', route('schemas:read', compatibility));
  router.post('/compatibility/subjects/:subject/versions', route('schemas:read', compatibility));

  router.get(
    '/config',
    route('schemas:read', async ({ scope }) => ({ compatibilityLevel: await r.organizationCompatibility(scope) })),
  );
  router.put(
    '/config',
    route('schemas:write', async ({ req, scope }) => ({
      compatibility: await r.setOrganizationCompatibility(scope, mode(req.body)),
    })),
  );
  router.get(
    '/config/:subject',
    route('schemas:read', async ({ req, scope }) => {
      const subject = await r.findSubject(scope, p(req, 'subject')).catch(() => null);
      if (subject?.compatibility) return { compatibilityLevel: subject.compatibility };
      if (flag(req.query.defaultToGlobal)) return { compatibilityLevel: await r.organizationCompatibility(scope) };
      throw new ConfluentHttpError(
        404,
        CONFLUENT_CODES.compatibilityNotConfigured,
        `Subject '${p(req, 'subject')}' does not have subject-level compatibility configured`,
      );
    }),
  );
  router.put(
    '/config/:subject',
    route('schemas:write', async ({ req, scope }) => ({
      compatibility: (await r.setSubjectCompatibility(scope, p(req, 'subject'), mode(req.body))).compatibility,
    })),
  );
  router.delete(
    '/config/:subject',
    route('schemas:write', async ({ req, scope }) => {
      const subject = await r.findSubject(scope, p(req, 'subject'));
      const previous = subject.compatibility ?? (await r.organizationCompatibility(scope));
      await r.setSubjectCompatibility(scope, subject.name, null);
      return { compatibilityLevel: previous };
    }),
  );

  router.use((err: Error & { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (err.type === 'entity.parse.failed')
      return sendConfluent(res, 400, { error_code: 400, message: `Malformed JSON: ${err.message}` });
    if (err.type === 'entity.too.large')
      return sendConfluent(res, 413, { error_code: 413, message: 'Request body too large' });
    // Bodies that are too deep or hold strings no database can store (lib's jsonBody).
    if (err instanceof BadUserInputError) return sendConfluentError(res, err, deps.logger);
    next(err);
  });
  app.use(router);
}
