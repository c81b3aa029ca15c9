/** Kinds of personal data the detector recognises. */
export type PiiKind = 'EMAIL' | 'PHONE' | 'PERSON_NAME' | 'NATIONAL_ID' | 'CREDIT_CARD' | 'IP_ADDRESS' | 'DATE_OF_BIRTH' | 'ADDRESS' | 'PERSONAL_ID';

export interface PiiFinding {
  column: string;
  kind: PiiKind;
  /** NAME when only the column name matched, VALUES when sampled values matched (stronger). */
  evidence: 'NAME' | 'VALUES' | 'NAME_AND_VALUES';
  /** Fraction of sampled non-null values that matched the kind's pattern. */
  matchRate: number;
}

export interface ColumnSample {
  name: string;
  values: readonly unknown[];
}

// Column names are normalised to lower snake case before matching (e.g. "E-Mail Address" -> e_mail_address).
const NAME_RULES: [PiiKind, RegExp][] = [
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

const VALUE_RULES: [PiiKind, (s: string) => boolean][] = [
  ['EMAIL', (s) => /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/.test(s)],
  ['NATIONAL_ID', (s) => /^\d{3}-\d{2}-\d{4}$/.test(s)],
  ['CREDIT_CARD', (s) => /^[\d -]{13,23}$/.test(s) && luhn(s.replace(/\D/g, ''))],
  ['IP_ADDRESS', (s) => /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(s) || /^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}$/i.test(s)],
  ['PHONE', (s) => /^\+?[\d\s().-]{7,20}$/.test(s) && (s.match(/\d/g)?.length ?? 0) >= 7 && /[\s().+-]/.test(s)],
  // Two or three capitalised words: only trusted together with a name-like column name.
  ['PERSON_NAME', (s) => /^\p{Lu}[\p{L}'-]+( \p{Lu}\.?)?( \p{Lu}[\p{L}'-]+){1,2}$/u.test(s)],
];

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

/** Lower snake case: "Customer Email" and "customerEmail" both become customer_email. */
export function normaliseColumnName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * Finds columns holding personal data from their names and from sampled values. A value rule counts
 * when at least `threshold` of the non-null sampled values match; person names need the column name
 * too, since capitalised words (places, species) are common.
 * @returns at most one finding per column, the strongest.
 */
export function detectPii(columns: readonly ColumnSample[], threshold = 0.8): PiiFinding[] {
  const findings: PiiFinding[] = [];
  for (const col of columns) {
    const norm = normaliseColumnName(col.name);
    const byName = NAME_RULES.find(([, re]) => re.test(norm))?.[0];
    const texts = col.values.filter((v) => v !== null && v !== undefined && v !== '').map((v) => String(v).trim());
    let best: { kind: PiiKind; rate: number } | undefined;
    if (texts.length > 0) {
      for (const [kind, test] of VALUE_RULES) {
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
