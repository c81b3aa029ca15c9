import type { Faker } from '@faker-js/faker' with { 'resolution-mode': 'import' };
import { Rng } from '../math/rng';
import type { Cell, PiiKind } from '../table/table.types';
import { formatEpochMillis, isDateOnly, looksLikeDatetime, toEpochMillis } from '../table/datetime.util';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DAY_MS = 86_400_000;
/** A fake date is the template moved by up to this many days either way (a real date, never digit noise). */
const DATE_SHIFT_DAYS = 3650;

/**
 * `@faker-js/faker` 10 ships ES modules only; Node ≥ 20.19 can `require` them but TypeScript's
 * node16 CommonJS mode refuses a static import, so it is loaded with a dynamic `import()`.
 */
async function createFaker(seed: number): Promise<Faker> {
  const { Faker: FakerClass, en, base } = await import('@faker-js/faker');
  const faker = new FakerClass({ locale: [en, base] });
  faker.seed(seed);
  return faker;
}

/**
 * Seeded fake values for PII columns: faker for emails and person names, format-preserving
 * replacement (each digit by a digit, each letter by a letter of the same case, separators kept)
 * for phones and identifiers, so the shape survives and the content does not. Dates (a birth date
 * classified PII) are replaced by other valid dates in the same layout, never by digit noise such as 1948-40-89.
 */
export class FakeValueGenerator {
  private constructor(
    private readonly faker: Faker,
    private readonly rng: Rng,
  ) {}

  /** Creates a generator whose whole output is fixed by the seed. */
  static async create(seed: number): Promise<FakeValueGenerator> {
    return new FakeValueGenerator(await createFaker(seed), new Rng(seed).fork('format-preserving'));
  }

  /** A fake value of the kind, shaped like `template` (a source value) where the kind preserves format. */
  next(kind: PiiKind, template: Cell): Cell {
    switch (kind) {
      case 'EMAIL':
        return this.faker.internet.email().toLowerCase();
      case 'PERSON_NAME':
        return this.faker.person.fullName();
      case 'FIRST_NAME':
        return this.faker.person.firstName();
      case 'LAST_NAME':
        return this.faker.person.lastName();
      // Identifiers, phone numbers and the rest keep their source's shape with new content.
      case 'PHONE':
      case 'IDENTIFIER':
      case 'OTHER':
        return this.formatPreserving(template);
    }
  }

  /** Same shape, new content; numbers stay numbers with the same digit count. */
  formatPreserving(template: Cell): Cell {
    if (typeof template === 'number' && Number.isInteger(template)) {
      const digits = String(Math.abs(template)).length;
      let text = String(1 + this.rng.int(9));
      for (let i = 1; i < digits; i++) text += DIGITS[this.rng.int(10)];
      return (template < 0 ? -1 : 1) * Number(text);
    }
    const text = template === null ? 'xxxxxxxx' : String(template);
    if (UUID.test(text)) return this.faker.string.uuid();
    const ms = looksLikeDatetime(text) ? toEpochMillis(text) : null;
    if (ms !== null) {
      const shift = (1 + this.rng.int(DATE_SHIFT_DAYS)) * (this.rng.int(2) === 0 ? -1 : 1);
      return formatEpochMillis(ms + shift * DAY_MS, isDateOnly(text) ? 'date' : 'datetime');
    }
    let out = '';
    for (const ch of text) {
      if (ch >= '0' && ch <= '9') out += DIGITS[this.rng.int(10)];
      else if (ch >= 'a' && ch <= 'z') out += LOWER[this.rng.int(26)];
      else if (ch >= 'A' && ch <= 'Z') out += UPPER[this.rng.int(26)];
      else out += ch;
    }
    return out;
  }
}
