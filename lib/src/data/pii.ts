// The one personal-data detector of the platform, with one category list. Two policies read it:
// CLASSIFY (catalog: classifies and masks columns, so a false positive hides data from analysts;
// names only count when they are unambiguous, person names need name and values) and PROTECT
// (synthetic: never models a PII column from source values, so a miss leaks people; any "…name"
// column is a person's name and free text unique on every row is an identifier).

/** Kinds of personal data. */
export type PiiCategory =
  | 'EMAIL'
  | 'PHONE'
  | 'PERSON_NAME'
  | 'FIRST_NAME'
  | 'LAST_NAME'
  | 'NATIONAL_ID'
  | 'CREDIT_CARD'
  | 'IP_ADDRESS'
  | 'DATE_OF_BIRTH'
  | 'ADDRESS'
  | 'PERSONAL_ID'
  /** A value that identifies a row by itself (UUIDs, codes unique on every row). */
  | 'IDENTIFIER';

export const PII_CATEGORIES: readonly PiiCategory[] = ['EMAIL', 'PHONE', 'PERSON_NAME', 'FIRST_NAME', 'LAST_NAME', 'NATIONAL_ID', 'CREDIT_CARD', 'IP_ADDRESS', 'DATE_OF_BIRTH', 'ADDRESS', 'PERSONAL_ID', 'IDENTIFIER'];

// ---- value shapes (shared by both policies) ----

// No address is longer (RFC 5321); the bound also keeps the pattern's quadratic backtracking on long cells small (ReDoS).
const MAX_EMAIL_LENGTH = 254;
const EMAIL = /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/;
const SSN = /^\d{3}-\d{2}-\d{4}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PHONE_CHARS = /^\+?[\d\s().-]{7,20}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}$/i;
const CARD_CHARS = /^[\d -]{13,23}$/;
// Two or three capitalised words.
const PERSON_NAME_SHAPE = /^\p{Lu}[\p{L}'-]+( \p{Lu}\.?)?( \p{Lu}[\p{L}'-]+){1,2}$/u;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const digitCount = (s: string): number => s.replace(/\D/g, '').length;

function luhn(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** True when the text looks like an ISO-8601 date or date-time. */
function looksLikeDatetime(value: string): boolean {
  return ISO_DATETIME.test(value) && !Number.isNaN(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value));
}

/** Tests for the shape of one value of a category. */
export const PII_VALUE_SHAPES = {
  email: (s: string): boolean => s.length <= MAX_EMAIL_LENGTH && EMAIL.test(s),
  nationalId: (s: string): boolean => SSN.test(s),
  uuid: (s: string): boolean => UUID.test(s),
  creditCard: (s: string): boolean => CARD_CHARS.test(s) && luhn(s.replace(/\D/g, '')),
  ipAddress: (s: string): boolean => IPV4.test(s) || IPV6.test(s),
  /** Seven digits or more written with a separator (+, space, parentheses, dot or dash). */
  formattedPhone: (s: string): boolean => PHONE_CHARS.test(s) && digitCount(s) >= 7 && /[\s().+-]/.test(s),
  /** Nine digits or more, in phone characters, and not a date. */
  longPhone: (s: string): boolean => PHONE_CHARS.test(s) && digitCount(s) >= 9 && !looksLikeDatetime(s),
  personName: (s: string): boolean => PERSON_NAME_SHAPE.test(s),
  datetime: looksLikeDatetime,
};

/** Lower snake case: "Customer Email" and "customerEmail" both become customer_email. */
export function normaliseColumnName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

// ---- CLASSIFY ----

/** A column CLASSIFY found to hold personal data. */
export interface PiiFinding {
  column: string;
  kind: PiiCategory;
  /** NAME when only the column name matched, VALUES when sampled values matched (stronger). */
  evidence: 'NAME' | 'VALUES' | 'NAME_AND_VALUES';
  /** Fraction of sampled non-null values that matched the kind's pattern. */
  matchRate: number;
}

export interface ColumnSample {
  name: string;
  values: readonly unknown[];
}

// Matched against normalised names (e.g. "E-Mail Address" -> e_mail_address).
const CLASSIFY_NAME_RULES: [PiiCategory, RegExp][] = [
  ['EMAIL', /(^|_)e_?mail(_|$)/],
  ['PHONE', /(^|_)(phone|mobile|cell|tel|telephone|fax)(_|$)/],
  ['PERSON_NAME', /(^|_)(first|last|given|family|full|middle|sur|maiden)_?name(_|$)|^(name|surname|forename)$/],
  ['NATIONAL_ID', /(^|_)(ssn|social_security|national_id|nin|passport|tax_id|tin|driver_?s?_licen[cs]e)(_|$)/],
  ['CREDIT_CARD', /(^|_)(credit_?card|card_number|cc_number|pan|iban)(_|$)/],
  ['IP_ADDRESS', /(^|_)ip(_?address|_?addr)?(_|$)/],
  ['DATE_OF_BIRTH', /(^|_)(dob|date_of_birth|birth_?date|birthday)(_|$)/],
  ['ADDRESS', /(^|_)(street|address|postcode|postal_code|zip|zip_code)(_|$)/],
  ['PERSONAL_ID', /(^|_)(user|customer|client|patient|employee|member|account|person)_?(id|number|no)(_|$)/],
];

const CLASSIFY_VALUE_RULES: [PiiCategory, (s: string) => boolean][] = [
  ['EMAIL', PII_VALUE_SHAPES.email],
  ['NATIONAL_ID', PII_VALUE_SHAPES.nationalId],
  ['CREDIT_CARD', PII_VALUE_SHAPES.creditCard],
  ['IP_ADDRESS', PII_VALUE_SHAPES.ipAddress],
  ['PHONE', PII_VALUE_SHAPES.formattedPhone],
  // Capitalised words (places, species) are common: only trusted together with a name-like column name.
  ['PERSON_NAME', PII_VALUE_SHAPES.personName],
];

/**
 * CLASSIFY: finds columns holding personal data from their names and from sampled values. A value
 * rule counts when at least `threshold` of the non-null sampled values match; person names need
 * the column name too.
 * @returns at most one finding per column, the strongest.
 */
export function classifyPiiColumns(columns: readonly ColumnSample[], threshold = 0.8): PiiFinding[] {
  const findings: PiiFinding[] = [];
  for (const col of columns) {
    const norm = normaliseColumnName(col.name);
    const byName = CLASSIFY_NAME_RULES.find(([, re]) => re.test(norm))?.[0];
    const texts = col.values.filter((v) => v !== null && v !== undefined && v !== '').map((v) => String(v).trim());
    let best: { kind: PiiCategory; rate: number } | undefined;
    if (texts.length > 0) {
      for (const [kind, test] of CLASSIFY_VALUE_RULES) {
        if (kind === 'PERSON_NAME' && byName !== 'PERSON_NAME') continue;
        const rate = texts.filter(test).length / texts.length;
        if (rate >= threshold && (!best || rate > best.rate)) best = { kind, rate };
      }
    }
    if (best) findings.push({ column: col.name, kind: best.kind, evidence: best.kind === byName ? 'NAME_AND_VALUES' : 'VALUES', matchRate: best.rate });
    else if (byName) findings.push({ column: col.name, kind: byName, evidence: 'NAME', matchRate: 0 });
  }
  return findings;
}

/** The text shown in place of a masked value; nulls stay null so missing data stays visible. */
export function maskValue(value: unknown): string | null {
  return value === null || value === undefined ? null : '***';
}

// ---- PROTECT ----

/** The categories PROTECT reports (each decides how fake values are made). */
export type ProtectedPiiCategory = Extract<PiiCategory, 'EMAIL' | 'PHONE' | 'PERSON_NAME' | 'FIRST_NAME' | 'LAST_NAME' | 'IDENTIFIER'>;

// Matched against the column name as written.
const PROTECT_NAME_RULES: [RegExp, ProtectedPiiCategory][] = [
  [/e[-_ ]?mail/i, 'EMAIL'],
  [/(phone|mobile|cell|fax|telephone|^tel$)/i, 'PHONE'],
  [/^(first|given|fore)[-_ ]?name$/i, 'FIRST_NAME'],
  [/^(last|family|sur)[-_ ]?name$|^surname$/i, 'LAST_NAME'],
  // Any "…name" column is taken for a person's name: a false positive costs realism, a miss leaks people.
  [/(^|[-_ ])(full[-_ ]?)?name$/i, 'PERSON_NAME'],
  [/(^|[-_ ])(id|uuid|guid|ssn|passport|iban|account[-_ ]?(no|number)?|national[-_ ]?id)$|^id$/i, 'IDENTIFIER'],
];

/** Share of non-missing values that must match a value shape before a column counts as PII by content. */
const PROTECT_SHARE = 0.8;
/** Rows of distinct free text from which a column identifies rows by itself. */
const PROTECT_UNIQUE_ROWS = 20;

const isMissing = (v: unknown): boolean => v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));

function share(values: string[], test: (value: string) => boolean): number {
  if (values.length === 0) return 0;
  let hits = 0;
  for (const value of values) if (test(value)) hits++;
  return hits / values.length;
}

/**
 * PROTECT: decides whether a column holds personal data, by its name (emails, phones, person
 * names, identifiers) or by its values (email addresses, phone numbers, UUIDs, SSN-shaped codes,
 * or free text unique on every row).
 * @returns the category, or null when nothing points to PII
 */
export function protectPiiColumn(name: string, values: readonly unknown[]): ProtectedPiiCategory | null {
  for (const [pattern, kind] of PROTECT_NAME_RULES) if (pattern.test(name)) return kind;
  const texts = values.filter((v) => !isMissing(v)).map(String);
  const strings = values.filter((v): v is string => typeof v === 'string' && v !== '');
  if (share(texts, PII_VALUE_SHAPES.email) >= PROTECT_SHARE) return 'EMAIL';
  if (share(texts, (v) => PII_VALUE_SHAPES.uuid(v) || PII_VALUE_SHAPES.nationalId(v)) >= PROTECT_SHARE) return 'IDENTIFIER';
  if (strings.length > 0 && share(strings, PII_VALUE_SHAPES.longPhone) >= PROTECT_SHARE) return 'PHONE';
  // Free text distinct on every row (codes, names) re-identifies a row by itself.
  if (strings.length >= PROTECT_UNIQUE_ROWS && strings.length === texts.length && new Set(strings).size === strings.length) {
    const numericLike = share(strings, (v) => looksLikeDatetime(v) || !Number.isNaN(Number(v)));
    if (numericLike < PROTECT_SHARE) return 'IDENTIFIER';
  }
  return null;
}
