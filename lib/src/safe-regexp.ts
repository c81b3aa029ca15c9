import RE2 from 're2';
import { BadUserInputError } from './errors';

/**
 * Longest pattern a user may supply, in UTF-16 code units. Matching costs grow with pattern size
 * times input size, so the pattern is bounded as well as the engine.
 * @default 1000
 */
export const MAX_PATTERN_LENGTH = 1000;

/** A user-supplied pattern refused: invalid, too long, or needing backtracking (lookaround, backreferences). */
export class UnsafePatternError extends BadUserInputError {
  constructor(
    readonly pattern: string,
    readonly reason: string,
    field = 'pattern',
  ) {
    super(
      `Pattern ${JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern)} is refused: ${reason}`,
      [{ field, message: reason }],
    );
    this.name = 'UnsafePatternError';
  }
}

/** What runs a user pattern: RE2 (linear time), with the `test`/`exec` of a RegExp (its source is the RE2 translation). */
export type UserRegExp = Pick<RegExp, 'test' | 'exec'>;

// ECMA-262 WhiteSpace and LineTerminator: what `\s` means in JavaScript (RE2's `\s` is ASCII only).
const SPACE_RANGES: [number, number][] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
const LINE_TERMINATORS: [number, number][] = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];
const ALL: [number, number][] = [[0, 0x10ffff]];

function complement(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

const hex = (cp: number) => `\\x{${cp.toString(16)}}`;
const rangesText = (ranges: [number, number][]) =>
  ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('');

const SPACE = rangesText(SPACE_RANGES);
const NOT_SPACE = rangesText(complement(SPACE_RANGES));

// Long General_Category names JavaScript accepts, by the short names RE2 knows.
const CATEGORY_ALIASES: Record<string, string> = {
  Letter: 'L',
  Cased_Letter: 'LC',
  Uppercase_Letter: 'Lu',
  Lowercase_Letter: 'Ll',
  Titlecase_Letter: 'Lt',
  Modifier_Letter: 'Lm',
  Other_Letter: 'Lo',
  Mark: 'M',
  Combining_Mark: 'M',
  Nonspacing_Mark: 'Mn',
  Spacing_Mark: 'Mc',
  Enclosing_Mark: 'Me',
  Number: 'N',
  Decimal_Number: 'Nd',
  digit: 'Nd',
  Letter_Number: 'Nl',
  Other_Number: 'No',
  Punctuation: 'P',
  punct: 'P',
  Connector_Punctuation: 'Pc',
  Dash_Punctuation: 'Pd',
  Open_Punctuation: 'Ps',
  Close_Punctuation: 'Pe',
  Initial_Punctuation: 'Pi',
  Final_Punctuation: 'Pf',
  Other_Punctuation: 'Po',
  Symbol: 'S',
  Math_Symbol: 'Sm',
  Currency_Symbol: 'Sc',
  Modifier_Symbol: 'Sk',
  Other_Symbol: 'So',
  Separator: 'Z',
  Space_Separator: 'Zs',
  Line_Separator: 'Zl',
  Paragraph_Separator: 'Zp',
  Other: 'C',
  Control: 'Cc',
  cntrl: 'Cc',
  Format: 'Cf',
  Surrogate: 'Cs',
  Private_Use: 'Co',
  Unassigned: 'Cn',
};
const CATEGORY_SHORT = new Set(Object.values(CATEGORY_ALIASES));

class Refusal extends Error {}

/** Turns a validated ECMA-262 (`u` mode) pattern into RE2 syntax with JavaScript's meaning. */
class Translator {
  private i = 0;
  private out = '';

  constructor(
    private readonly p: string,
    private readonly dotAll: boolean,
  ) {}

  run(): string {
    const p = this.p;
    while (this.i < p.length) {
      const c = p[this.i];
      if (c === '\\') this.out += this.escape(false);
      else if (c === '[') this.out += this.characterClass();
      else if (c === '(') this.out += this.group();
      else if (c === '.') {
        this.i++;
        this.out += `[${rangesText(this.dotAll ? ALL : complement(LINE_TERMINATORS))}]`;
      } else {
        const cp = p.codePointAt(this.i)!;
        this.i += cp > 0xffff ? 2 : 1;
        this.out += cp > 0x7f ? hex(cp) : String.fromCharCode(cp);
      }
    }
    return this.out;
  }

  private group(): string {
    const rest = this.p.slice(this.i, this.i + 4);
    if (rest.startsWith('(?=') || rest.startsWith('(?!'))
      throw new Refusal(
        'lookahead ((?= …) or (?! …)) needs a backtracking engine; user patterns run on a linear-time engine (RE2)',
      );
    if (rest.startsWith('(?<=') || rest.startsWith('(?<!'))
      throw new Refusal(
        'lookbehind ((?<= …) or (?<! …)) needs a backtracking engine; user patterns run on a linear-time engine (RE2)',
      );
    if (rest.startsWith('(?<')) {
      this.i += 3;
      return '(?P<';
    }
    if (rest.startsWith('(?:')) {
      this.i += 3;
      return '(?:';
    }
    this.i += 1;
    return '(';
  }

  /** `\…` at `this.i`; inside a class, the text of class items (no brackets). */
  private escape(inClass: boolean): string {
    const p = this.p;
    const c = p[this.i + 1]!;
    this.i += 2;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return `\\${c}`;
      case 'b':
        return inClass ? hex(8) : '\\b';
      case 'B':
        return '\\B';
      case 's':
        return inClass ? SPACE : `[${SPACE}]`;
      case 'S':
        return inClass ? NOT_SPACE : `[${NOT_SPACE}]`;
      case 'k':
        throw new Refusal(
          'backreferences (\\k<name>) need a backtracking engine; user patterns run on a linear-time engine (RE2)',
        );
      case '0':
        return hex(0);
      case 't':
        return hex(9);
      case 'n':
        return hex(10);
      case 'v':
        return hex(11);
      case 'f':
        return hex(12);
      case 'r':
        return hex(13);
      case 'c':
        this.i += 1;
        return hex(p.charCodeAt(this.i - 1) % 32);
      case 'x':
        this.i += 2;
        return hex(parseInt(p.slice(this.i - 2, this.i), 16));
      case 'u':
        return hex(this.unicodeEscape());
      case 'p':
      case 'P':
        return this.property(c === 'P', inClass);
      default:
        if (c >= '1' && c <= '9')
          throw new Refusal(
            `backreferences (\\${c}) need a backtracking engine; user patterns run on a linear-time engine (RE2)`,
          );
        // In u mode only syntax characters (and `-` in a class) may be escaped: all ASCII punctuation, literal in RE2 too.
        return `\\${c}`;
    }
  }

  /** After `\u`: `{…}` or four hex digits, joining an escaped surrogate pair into one code point. */
  private unicodeEscape(): number {
    const p = this.p;
    if (p[this.i] === '{') {
      const end = p.indexOf('}', this.i);
      const cp = parseInt(p.slice(this.i + 1, end), 16);
      this.i = end + 1;
      return cp;
    }
    const hi = parseInt(p.slice(this.i, this.i + 4), 16);
    this.i += 4;
    if (
      hi >= 0xd800 &&
      hi <= 0xdbff &&
      p.startsWith('\\u', this.i) &&
      /^[dD][c-fC-F][0-9a-fA-F]{2}$/.test(p.slice(this.i + 2, this.i + 6))
    ) {
      const lo = parseInt(p.slice(this.i + 2, this.i + 6), 16);
      this.i += 6;
      return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
    }
    return hi;
  }

  private property(negated: boolean, inClass: boolean): string {
    const p = this.p;
    const end = p.indexOf('}', this.i);
    const spec = p.slice(this.i + 1, end);
    this.i = end + 1;
    const [key, value] = spec.includes('=') ? spec.split('=') : [undefined, spec];
    let name: string | undefined;
    if (key === 'General_Category' || key === 'gc' || key === undefined)
      name = CATEGORY_SHORT.has(value) ? value : CATEGORY_ALIASES[value];
    if (key === 'Script' || key === 'sc') name = value;
    if (key === undefined && value === 'Any') name = 'Any';
    if (key === undefined && value === 'ASCII') {
      const ranges = rangesText(negated ? complement([[0, 0x7f]]) : [[0, 0x7f]]);
      return inClass ? ranges : `[${ranges}]`;
    }
    if (!name)
      throw new Refusal(
        `the Unicode property \\p{${spec}} is not supported by the linear-time engine (RE2): use a General_Category or Script property`,
      );
    return `\\${negated ? 'P' : 'p'}{${name}}`;
  }

  private characterClass(): string {
    const p = this.p;
    this.i += 1;
    const negated = p[this.i] === '^';
    if (negated) this.i += 1;
    let items = '';
    while (p[this.i] !== ']') {
      let item: string;
      if (p[this.i] === '\\') {
        item = this.escape(true);
      } else {
        const cp = p.codePointAt(this.i)!;
        this.i += cp > 0xffff ? 2 : 1;
        item = hex(cp);
      }
      if (p[this.i] === '-' && p[this.i + 1] !== ']') {
        this.i += 1;
        let upper: string;
        if (p[this.i] === '\\') upper = this.escape(true);
        else {
          const cp = p.codePointAt(this.i)!;
          this.i += cp > 0xffff ? 2 : 1;
          upper = hex(cp);
        }
        items += `${item}-${upper}`;
      } else {
        items += item;
      }
    }
    this.i += 1;
    if (items === '') return negated ? `[${rangesText(ALL)}]` : `[^${rangesText(ALL)}]`;
    return `[${negated ? '^' : ''}${items}]`;
  }
}

/**
 * Compiles a user-supplied pattern (ECMA-262 syntax in `u` mode, as JSON Schema's `pattern`) for
 * RE2, whose matching time is linear in the input: no pattern can stall the event loop (ReDoS).
 * The pattern keeps JavaScript's meaning where RE2's syntax differs (`\s`, `.`, `\uXXXX`,
 * `\p{…}` long names, named groups). Constructs that need backtracking have no linear-time
 * equivalent and are refused: lookahead, lookbehind and backreferences. Known remaining difference:
 * with the `m` flag, `^` and `$` see line breaks at `\n` only.
 * @param options.flags extra flags among `i`, `m`, `s`, `g`, `y` (`u` is implied)
 * @param options.field the input field named in the error's details
 * @default options.field 'pattern'
 * @returns a RegExp-like object (`test`, `exec`) backed by RE2
 * @throws UnsafePatternError (BAD_USER_INPUT) naming the pattern and the reason
 */
export function compileUserPattern(pattern: string, options: { flags?: string; field?: string } = {}): UserRegExp {
  const field = options.field ?? 'pattern';
  const flags = [...new Set((options.flags ?? '').replace(/u/g, ''))].join('');
  if (typeof pattern !== 'string') throw new UnsafePatternError(String(pattern), 'must be a string', field);
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw new UnsafePatternError(pattern, `longer than ${MAX_PATTERN_LENGTH} characters`, field);
  if (!/^[gimsy]*$/.test(flags)) throw new UnsafePatternError(pattern, `unsupported flags "${flags}"`, field);
  try {
    // Only parsed, never run: V8 checks the ECMA-262 syntax the pattern must follow.
    // eslint-disable-next-line no-restricted-syntax
    new RegExp(pattern, `u${flags}`);
  } catch (err) {
    throw new UnsafePatternError(pattern, `not a valid regular expression: ${(err as Error).message}`, field);
  }
  let translated: string;
  try {
    translated = new Translator(pattern, flags.includes('s')).run();
  } catch (err) {
    if (err instanceof Refusal) throw new UnsafePatternError(pattern, err.message, field);
    throw err;
  }
  try {
    return new RE2(translated, `u${flags}`);
  } catch (err) {
    throw new UnsafePatternError(
      pattern,
      `not supported by the linear-time engine (RE2): ${(err as Error).message}`,
      field,
    );
  }
}

/**
 * The same engine for Ajv: `new Ajv({ code: { regExp: userRegExpEngine } })` runs every `pattern`
 * and `patternProperties` of a user schema on RE2. A refused pattern makes `ajv.compile` throw
 * the UnsafePatternError.
 */
export const userRegExpEngine = Object.assign(
  (pattern: string, flags: string) => compileUserPattern(pattern, { flags }),
  { code: 'compileUserPattern' },
);
