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
  /** An international bank account number (ISO 13616, mod-97 check). */
  | 'IBAN'
  | 'IP_ADDRESS'
  | 'DATE_OF_BIRTH'
  | 'ADDRESS'
  | 'PERSONAL_ID'
  /** A value that identifies a row by itself (UUIDs, codes unique on every row). */
  | 'IDENTIFIER';

export const PII_CATEGORIES: readonly PiiCategory[] = [
  'EMAIL',
  'PHONE',
  'PERSON_NAME',
  'FIRST_NAME',
  'LAST_NAME',
  'NATIONAL_ID',
  'CREDIT_CARD',
  'IBAN',
  'IP_ADDRESS',
  'DATE_OF_BIRTH',
  'ADDRESS',
  'PERSONAL_ID',
  'IDENTIFIER',
];

import { isPossiblePhoneNumber, isValidPhoneNumber } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';

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
// 31/12/2024, 12-31-24, 2024/12/31, 31.12.2024 (with an optional time).
const NUMERIC_DATE =
  /^(\d{1,2}[/.-]\d{1,2}[/.-](\d{2}|\d{4})|\d{4}[/.]\d{1,2}[/.]\d{1,2})([T ]\d{1,2}:\d{2}(:\d{2})?)?$/;
const MONTH_NAME = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b/i;
const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

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

function validDayMonth(a: number, b: number): boolean {
  // Either order (day first or month first) must give a real day of a real month.
  return (a >= 1 && a <= 31 && b >= 1 && b <= 12) || (a >= 1 && a <= 12 && b >= 1 && b <= 31);
}

/** True for dates in the usual written forms: ISO-8601, numeric day/month/year, or with a month name. */
function looksLikeDate(value: string): boolean {
  if (looksLikeDatetime(value)) return true;
  if (NUMERIC_DATE.test(value)) {
    const parts = value.split(/[T ]/)[0]!.split(/[/.-]/).map(Number);
    return parts[0]! > 31 ? validDayMonth(parts[2]!, parts[1]!) : validDayMonth(parts[0]!, parts[1]!);
  }
  return value.length <= 40 && MONTH_NAME.test(value) && /\d/.test(value) && !Number.isNaN(Date.parse(value));
}

/** ISO 13616 check: the rearranged IBAN, letters as 10..35, is 1 modulo 97. */
function ibanChecksum(value: string): boolean {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (!IBAN_SHAPE.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of code) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** The country national numbers (without +/00) are read for when no other is given. */
export const DEFAULT_PHONE_COUNTRY: CountryCode = 'US';

function phoneCandidate(value: string): string | null {
  if (!PHONE_CHARS.test(value) || digitCount(value) < 7 || looksLikeDate(value)) return null;
  return value.startsWith('00') ? `+${value.slice(2)}` : value;
}

/** A real phone number by libphonenumber's metadata (international, or national in the country given). */
function validPhone(value: string, country: CountryCode = DEFAULT_PHONE_COUNTRY): boolean {
  const text = phoneCandidate(value);
  if (text === null) return false;
  try {
    return text.startsWith('+') ? isValidPhoneNumber(text) : isValidPhoneNumber(text, country);
  } catch {
    return false;
  }
}

/** A number of a possible length for a phone number (a weaker test than validPhone). */
function possiblePhone(value: string, country: CountryCode = DEFAULT_PHONE_COUNTRY): boolean {
  const text = phoneCandidate(value);
  if (text === null) return false;
  try {
    return text.startsWith('+') ? isPossiblePhoneNumber(text) : isPossiblePhoneNumber(text, country);
  } catch {
    return false;
  }
}

/** Tests for the shape of one value of a category. */
export const PII_VALUE_SHAPES = {
  email: (s: string): boolean => s.length <= MAX_EMAIL_LENGTH && EMAIL.test(s),
  nationalId: (s: string): boolean => SSN.test(s),
  uuid: (s: string): boolean => UUID.test(s),
  creditCard: (s: string): boolean => CARD_CHARS.test(s) && luhn(s.replace(/\D/g, '')),
  iban: ibanChecksum,
  ipAddress: (s: string): boolean => IPV4.test(s) || IPV6.test(s),
  /** A valid phone number by libphonenumber-js: international (+ or 00), or national in `country` (default US). Never a date. */
  phone: validPhone,
  /** A number of a possible phone-number length (weaker than `phone`). */
  possiblePhone,
  personName: (s: string): boolean => PERSON_NAME_SHAPE.test(s),
  datetime: looksLikeDatetime,
  /** Any usual written date (ISO, numeric day/month/year, or with a month name). */
  date: looksLikeDate,
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
  /** NAME when only the column name matched (weak), VALUES when sampled values matched, NAME_AND_VALUES for both. */
  evidence: 'NAME' | 'VALUES' | 'NAME_AND_VALUES';
  /** Fraction of sampled non-null values that matched the kind's validator. */
  matchRate: number;
  /** How sure the detection is, 0..1: a column name alone is weak evidence, validated values are strong. */
  confidence: number;
  /** Why the column was flagged, in words a data steward can check. */
  reason: string;
}

export interface ColumnSample {
  name: string;
  values: readonly unknown[];
}

export interface ClassifyOptions {
  /** Share of non-null sampled values a validator must accept for values alone to flag a column (default 0.8). */
  threshold?: number;
  /** Country national phone numbers (without + or 00) are validated for (default US). */
  phoneCountry?: CountryCode;
}

// Matched against normalised names (e.g. "E-Mail Address" -> e_mail_address).
const CLASSIFY_NAME_RULES: [PiiCategory, RegExp][] = [
  ['EMAIL', /(^|_)e_?mail(_|$)/],
  ['PHONE', /(^|_)(phone|mobile|cell|tel|telephone|fax)(_|$)/],
  ['PERSON_NAME', /(^|_)(first|last|given|family|full|middle|sur|maiden)_?name(_|$)|^(name|surname|forename)$/],
  ['NATIONAL_ID', /(^|_)(ssn|social_security|national_id|nin|passport|tax_id|tin|driver_?s?_licen[cs]e)(_|$)/],
  ['IBAN', /(^|_)iban(_|$)/],
  ['CREDIT_CARD', /(^|_)(credit_?card|card_number|cc_number|pan)(_|$)/],
  ['IP_ADDRESS', /(^|_)ip(_?address|_?addr)?(_|$)/],
  ['DATE_OF_BIRTH', /(^|_)(dob|date_of_birth|birth_?date|birthday)(_|$)/],
  ['ADDRESS', /(^|_)(street|address|postcode|postal_code|zip|zip_code)(_|$)/],
  ['PERSONAL_ID', /(^|_)(user|customer|client|patient|employee|member|account|person)_?(id|number|no)(_|$)/],
];

const VALUE_LABELS: Partial<Record<PiiCategory, string>> = {
  EMAIL: 'email addresses',
  NATIONAL_ID: 'SSN-shaped numbers',
  CREDIT_CARD: 'card numbers passing the Luhn check',
  IBAN: 'IBANs passing the mod-97 check',
  IP_ADDRESS: 'IP addresses',
  PHONE: 'valid phone numbers (libphonenumber)',
  PERSON_NAME: 'capitalised first and last names',
};

function classifyValueRules(country: CountryCode): [PiiCategory, (s: string) => boolean][] {
  return [
    ['EMAIL', PII_VALUE_SHAPES.email],
    ['NATIONAL_ID', PII_VALUE_SHAPES.nationalId],
    ['CREDIT_CARD', PII_VALUE_SHAPES.creditCard],
    ['IBAN', PII_VALUE_SHAPES.iban],
    ['IP_ADDRESS', PII_VALUE_SHAPES.ipAddress],
    ['PHONE', (s) => validPhone(s, country)],
    // Capitalised words (places, species, products) are common: only trusted together with a name-like column name.
    ['PERSON_NAME', PII_VALUE_SHAPES.personName],
  ];
}

/**
 * Kinds whose values can refute a name hint: a `phone` column whose values are not even possible phone
 * numbers, or a `Name` column of product names, is not flagged by its name.
 */
function refutedByValues(kind: PiiCategory, texts: string[], country: CountryCode): boolean {
  if (texts.length === 0) return false;
  const tests: Partial<Record<PiiCategory, (s: string) => boolean>> = {
    EMAIL: PII_VALUE_SHAPES.email,
    PHONE: (s) => possiblePhone(s, country),
    PERSON_NAME: PII_VALUE_SHAPES.personName,
    IP_ADDRESS: PII_VALUE_SHAPES.ipAddress,
  };
  const test = tests[kind];
  return test !== undefined && texts.filter(test).length / texts.length < MOST;
}

/** "Most" values: more than half. */
const MOST = 0.5;
/** Confidence of a finding from the column name alone. */
const NAME_ONLY_CONFIDENCE = 0.3;

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * CLASSIFY: finds columns holding personal data. Dates are recognised first: a column whose values are
 * mostly dates is never PII by value (only a birth-date name flags it). Then value validators (emails,
 * phone numbers by libphonenumber-js, IBAN mod-97, card Luhn, SSN, IP) flag a column when at least
 * `threshold` of its non-null sampled values pass, or most of them (over half) when the column name
 * points to the same kind. Person names need the column name too. A column name alone is weak evidence
 * (confidence 0.3), and is dropped when the sampled values refute it.
 * @returns at most one finding per column, the strongest.
 */
export function classifyPiiColumns(
  columns: readonly ColumnSample[],
  options: number | ClassifyOptions = {},
): PiiFinding[] {
  const { threshold = 0.8, phoneCountry = DEFAULT_PHONE_COUNTRY } =
    typeof options === 'number' ? { threshold: options } : options;
  const rules = classifyValueRules(phoneCountry);
  const findings: PiiFinding[] = [];
  for (const col of columns) {
    const norm = normaliseColumnName(col.name);
    const byName = CLASSIFY_NAME_RULES.find(([, re]) => re.test(norm))?.[0];
    const texts = col.values.filter((v) => v !== null && v !== undefined && v !== '').map((v) => String(v).trim());
    const dateRate = texts.length === 0 ? 0 : texts.filter(looksLikeDate).length / texts.length;
    if (dateRate > MOST) {
      // A date column: only its name can make it personal (a birth date); no value validator applies.
      if (byName === 'DATE_OF_BIRTH') {
        findings.push({
          column: col.name,
          kind: byName,
          evidence: 'NAME_AND_VALUES',
          matchRate: round2(dateRate),
          confidence: 0.6,
          reason: `the column name suggests a date of birth and ${pct(dateRate)} of sampled values are dates`,
        });
      }
      continue;
    }
    let best: { kind: PiiCategory; rate: number } | undefined;
    if (texts.length > 0) {
      for (const [kind, test] of rules) {
        if (kind === 'PERSON_NAME' && byName !== 'PERSON_NAME') continue;
        const rate = texts.filter(test).length / texts.length;
        // A matching column name lowers the bar to "most" values.
        const enough = rate >= threshold || (kind === byName && rate > MOST);
        if (enough && (!best || rate > best.rate)) best = { kind, rate };
      }
    }
    if (best) {
      const withName = best.kind === byName;
      const label = VALUE_LABELS[best.kind] ?? best.kind;
      findings.push({
        column: col.name,
        kind: best.kind,
        evidence: withName ? 'NAME_AND_VALUES' : 'VALUES',
        matchRate: best.rate,
        confidence: round2(withName ? 0.5 + 0.5 * best.rate : 0.9 * best.rate),
        reason: `${pct(best.rate)} of ${texts.length} sampled values are ${label}${withName ? ', and the column name suggests it' : ''}`,
      });
    } else if (byName && !refutedByValues(byName, texts, phoneCountry)) {
      findings.push({
        column: col.name,
        kind: byName,
        evidence: 'NAME',
        matchRate: 0,
        confidence: NAME_ONLY_CONFIDENCE,
        reason:
          texts.length === 0
            ? `only the column name suggests ${byName} (no values sampled)`
            : `only the column name suggests ${byName}; the values cannot confirm it`,
      });
    }
  }
  return findings;
}

const pct = (rate: number): string => `${Math.round(rate * 100)}%`;

/** The text shown in place of a masked value; nulls stay null so missing data stays visible. */
export function maskValue(value: unknown): string | null {
  return value === null || value === undefined ? null : '***';
}

// ---- PROTECT ----

/** The categories PROTECT reports (each decides how fake values are made). */
export type ProtectedPiiCategory = Extract<
  PiiCategory,
  'EMAIL' | 'PHONE' | 'PERSON_NAME' | 'FIRST_NAME' | 'LAST_NAME' | 'IDENTIFIER'
>;

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

const isMissing = (v: unknown): boolean =>
  v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));

/**
 * Whether the share of `values` (read as text) passing `test` reaches `threshold` (≥, or > when
 * `strict`); 0 for no values. Reads only as many values as it takes to know: a 100k-row column of
 * numbers is ruled out as e-mail addresses after its first fifth.
 */
function shareReaches(
  values: readonly unknown[],
  test: (value: string) => boolean,
  threshold: number,
  strict = false,
): boolean {
  const n = values.length;
  const meets = (hits: number): boolean => {
    const rate = n === 0 ? 0 : hits / n;
    return strict ? rate > threshold : rate >= threshold;
  };
  let hits = 0;
  for (let i = 0; i < n; i++) {
    if (test(String(values[i]))) {
      if (meets(++hits)) return true;
    } else if (!meets(hits + n - i - 1)) return false;
  }
  return meets(hits);
}

/** Whether no two of `values` are equal (stops at the first repeat). */
function allDistinct(values: readonly string[]): boolean {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) return false;
    seen.add(value);
  }
  return true;
}

/**
 * PROTECT: decides whether a column holds personal data, by its name (emails, phones, person
 * names, identifiers) or by its values (email addresses, phone numbers, UUIDs, SSN-shaped codes,
 * or free text unique on every row).
 * @returns the category, or null when nothing points to PII
 */
export function protectPiiColumn(name: string, values: readonly unknown[]): ProtectedPiiCategory | null {
  for (const [pattern, kind] of PROTECT_NAME_RULES) if (pattern.test(name)) return kind;
  // The present values, turned into text one by one as a test reads them.
  const texts = values.filter((v) => !isMissing(v));
  const strings = values.filter((v): v is string => typeof v === 'string' && v !== '');
  if (shareReaches(texts, PII_VALUE_SHAPES.email, PROTECT_SHARE)) return 'EMAIL';
  // Dates first: a date column is never personal data by its values.
  if (texts.length > 0 && shareReaches(texts, looksLikeDate, 0.5, true)) return null;
  if (
    shareReaches(
      texts,
      (v) =>
        PII_VALUE_SHAPES.uuid(v) ||
        PII_VALUE_SHAPES.nationalId(v) ||
        PII_VALUE_SHAPES.iban(v) ||
        PII_VALUE_SHAPES.creditCard(v),
      PROTECT_SHARE,
    )
  )
    return 'IDENTIFIER';
  // PROTECT errs towards protection: a possible phone number (by libphonenumber's lengths) counts.
  if (strings.length > 0 && shareReaches(strings, (v) => possiblePhone(v), PROTECT_SHARE)) return 'PHONE';
  // Free text distinct on every row (codes, names) re-identifies a row by itself.
  if (strings.length >= PROTECT_UNIQUE_ROWS && strings.length === texts.length && allDistinct(strings)) {
    const numericLike = shareReaches(strings, (v) => looksLikeDate(v) || !Number.isNaN(Number(v)), PROTECT_SHARE);
    if (!numericLike) return 'IDENTIFIER';
  }
  return null;
}
