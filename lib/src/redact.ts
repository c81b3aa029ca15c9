import { stdSerializers } from 'pino';

/**
 * Key names whose values are secrets wherever they appear (compared lower-case, without `-` and
 * `_`): passwords, tokens, API keys, Authorization and cookie headers, private keys, hashes of secrets.
 */
const SECRET_KEY =
  /password|passwd|passphrase|secret|token|apikey|authorization|cookie|credential|privatekey|privatejwk|encryptionkey|signature/;

/** Error properties that carry a failed statement's values (SQL, bindings, PostgreSQL's row detail). */
const STATEMENT_KEYS = new Set([
  'sql',
  'query',
  'params',
  'parameters',
  'bindings',
  'values',
  'detail',
  'where',
  'internalQuery',
]);

export const REDACTED = '[redacted]';

/** @returns true when a value under this key is a secret by name */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[-_]/g, ''));
}

// Each shape, replaced wherever it appears (also inside JSON-escaped text). Every repetition that
// could restart at each character of a long run is bounded, so a hostile line costs linear time.
const SECRET_SHAPES: [RegExp, string][] = [
  [/\$argon2(?:id|i|d)\$[A-Za-z0-9$=,+/.]*/g, '[redacted argon2 hash]'],
  [/\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{20,}/g, '[redacted bcrypt hash]'],
  // JWS (3 segments), JWE (5), and the platform's signed upload/download tickets (2): each starts
  // with base64url JSON, so with eyJ (a download ticket is also a URL path segment).
  [/\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]{8,}){1,4}/g, '[redacted token]'],
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1$2${REDACTED}`],
  [/\b(aic_[A-Za-z0-9]{12}_)[A-Za-z0-9_-]{16,}/g, `$1${REDACTED}`],
  // The body (base64, whitespace, JSON-escaped newlines) up to the END line, or as far as it goes when cut.
  [
    /-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----[A-Za-z0-9+/=\s\\]*(?:-----END[A-Z0-9 ]*PRIVATE KEY-----)?/g,
    '[redacted private key]',
  ],
  // Private members of a JWK ("d", RSA's primes, a symmetric "k"), as JSON or JSON inside a string.
  [/(\\{0,7}")(d|p|q|dp|dq|qi|k)\1(\s*:\s*)\1[A-Za-z0-9_-]{8,}\1/g, `$1$2$1$3$1${REDACTED}$1`],
  // The password of a connection URL (postgresql://user:password@host, rediss://:password@host).
  [/\b([a-z][a-z0-9+.-]{0,30}:\/\/[^:/?#\s@"'\\]*:)[^@/?#\s"'\\]+@/gi, `$1${REDACTED}@`],
];

/**
 * Replaces every known secret shape in a text: argon2/bcrypt hashes, JWTs and JWEs, bearer and
 * basic credentials, platform API keys, PEM private keys, private JWK members, URL passwords.
 * @returns the text with each secret replaced by a `[redacted ...]` marker
 */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [shape, replacement] of SECRET_SHAPES) out = out.replace(shape, replacement);
  return out;
}

const LOOKS_LIKE_SQL =
  /\b(?:select\b[\s\S]{0,2000}?\bfrom|insert\s+into|update\s+[`"\w.]+\s+set|delete\s+from|returning|on\s+conflict)\b/i;
const SQL_LITERAL = /'(?:[^']|'')*'|"(?:[^"\n]|"")*"/g;
const IDENTIFIER = /^"[A-Za-z_][\w$.]*"$/;

/**
 * Replaces the values of a SQL statement (and quoted values in a driver's message about it) by `?`:
 * MikroORM inlines parameters into the SQL it runs, and drivers put that SQL into their errors.
 * Quoted identifiers (`"users"`) stay. Text that does not look like SQL is returned unchanged.
 */
export function maskSqlLiterals(text: string): string {
  if (!LOOKS_LIKE_SQL.test(text)) return text;
  return text.replace(SQL_LITERAL, (literal) =>
    literal.startsWith("'") ? "'?'" : IDENTIFIER.test(literal) ? literal : '"?"',
  );
}

// Inside a JSON line a SQL literal cannot contain a raw `"` (JSON escapes it): stopping there keeps
// the masking inside one JSON string.
const SQL_LITERAL_IN_JSON = /'(?:[^'"\\]|''|\\.)*'/g;

/**
 * The last pass over every finished log line (pino's `streamWrite` hook): secret shapes anywhere,
 * and SQL values in lines that carry SQL (a message built from a driver error, say).
 */
export function scrubLogLine(line: string): string {
  const scrubbed = scrubSecrets(line);
  return LOOKS_LIKE_SQL.test(scrubbed) ? scrubbed.replace(SQL_LITERAL_IN_JSON, "'?'") : scrubbed;
}

const MAX_DEPTH = 12;

/**
 * An error as a log line shows it: pino's standard error fields (type, message, stack, own
 * properties, `cause` as a nested error), with statement values masked, statement properties dropped and secrets scrubbed.
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return redactValue(err, 0, new WeakSet());
  return redactValue(stdSerializers.errWithCause(err), 0, new WeakSet(), true);
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>, inError = false): unknown {
  if (typeof value === 'string') return inError ? scrubSecrets(maskSqlLiterals(value)) : value;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value);
  if (seen.has(value) || depth >= MAX_DEPTH) return '[...]';
  if (Buffer.isBuffer(value) || value instanceof Date || ArrayBuffer.isView(value)) return value;
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return redactValue(json.call(value), depth + 1, seen, inError);
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen, inError));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (isSecretKey(key)) out[key] = REDACTED;
      else if (inError && STATEMENT_KEYS.has(key)) out[key] = REDACTED;
      else out[key] = redactValue(v, depth + 1, seen, inError);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * pino's `formatters.log`: copies the logged object with every secret-named key replaced at any
 * depth and every nested error serialized (see `serializeError`).
 */
export function redactLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  return redactValue(obj, 0, new WeakSet()) as Record<string, unknown>;
}

/**
 * An error as a process's last words show it (a boot failure on stderr): a configuration error by
 * its message, anything else with its stack; SQL values masked, secrets scrubbed.
 */
export function describeError(err: unknown): string {
  const text =
    err instanceof Error ? (err.name === 'ConfigError' || !err.stack ? err.message : err.stack) : String(err);
  return scrubSecrets(maskSqlLiterals(text));
}
