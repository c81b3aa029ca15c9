import type { Cell, PiiKind } from '../table/table.types';
import { isMissing } from '../table/table.types';
import { looksLikeDatetime } from '../table/datetime.util';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
// No address is longer (RFC 5321); the bound also keeps EMAIL's quadratic backtracking on long cells small (ReDoS).
const MAX_EMAIL_LENGTH = 254;
const PHONE = /^\+?[\d\s().-]{7,20}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SSN = /^\d{3}-\d{2}-\d{4}$/;

const NAME_HINTS: [RegExp, PiiKind][] = [
  [/e[-_ ]?mail/i, 'EMAIL'],
  [/(phone|mobile|cell|fax|telephone|^tel$)/i, 'PHONE'],
  [/^(first|given|fore)[-_ ]?name$/i, 'FIRST_NAME'],
  [/^(last|family|sur)[-_ ]?name$|^surname$/i, 'LAST_NAME'],
  // Any "…name" column is taken for a person's name: a false positive costs realism, a miss leaks people.
  [/(^|[-_ ])(full[-_ ]?)?name$/i, 'PERSON_NAME'],
  [/(^|[-_ ])(id|uuid|guid|ssn|passport|iban|account[-_ ]?(no|number)?|national[-_ ]?id)$|^id$/i, 'IDENTIFIER'],
];

/** Share of non-missing values that must match a value pattern before a column counts as PII by content. */
const PATTERN_SHARE = 0.8;

function share(values: string[], test: (value: string) => boolean): number {
  if (values.length === 0) return 0;
  let hits = 0;
  for (const value of values) if (test(value)) hits++;
  return hits / values.length;
}

/**
 * Decides whether a column holds personal data, by its name (emails, phones, person names,
 * identifiers) or by its values (email addresses, phone numbers, UUIDs, SSN-shaped codes, or free
 * text unique on every row). Returns the kind of PII, or `null` when nothing points to PII.
 */
export function detectPii(name: string, values: Cell[]): PiiKind | null {
  for (const [pattern, kind] of NAME_HINTS) if (pattern.test(name)) return kind;
  const texts = values.filter((v) => !isMissing(v)).map(String);
  const strings = values.filter((v): v is string => typeof v === 'string' && v !== '');
  if (share(texts, (v) => v.length <= MAX_EMAIL_LENGTH && EMAIL.test(v)) >= PATTERN_SHARE) return 'EMAIL';
  if (share(texts, (v) => UUID.test(v) || SSN.test(v)) >= PATTERN_SHARE) return 'IDENTIFIER';
  const phoneLike = (v: string): boolean => PHONE.test(v) && v.replace(/\D/g, '').length >= 9 && !looksLikeDatetime(v);
  if (strings.length > 0 && share(strings, phoneLike) >= PATTERN_SHARE) return 'PHONE';
  // Free text distinct on every row (codes, names) re-identifies a row by itself.
  if (strings.length >= 20 && strings.length === texts.length && new Set(strings).size === strings.length) {
    const numericLike = share(strings, (v) => looksLikeDatetime(v) || !Number.isNaN(Number(v)));
    if (numericLike < PATTERN_SHARE) return 'IDENTIFIER';
  }
  return null;
}
