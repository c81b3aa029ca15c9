import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileUserPattern, MAX_PATTERN_LENGTH, UnsafePatternError, userRegExpEngine } from '../src/safe-regexp';
import Ajv from 'ajv';

// Patterns whose JavaScript meaning RE2 must keep; inputs are drawn from characters where the two
// engines' syntax differs (Unicode spaces, line terminators, astral characters, escapes).
const PATTERNS = [
  '^[a-z]+$',
  '\\d{3}-\\d{4}',
  '^\\w+@\\w+\\.com$',
  '\\s',
  '^\\S+$',
  '[\\s\\d]',
  '[^\\s]',
  '[\\S]',
  '^.$',
  '^.+$',
  'a.c',
  '\\bword\\b',
  '\\Bor',
  '[\\b]',
  '^\\u0041\\x42\\u{1F600}$',
  '\\uD83D\\uDE00',
  '^\\p{Lu}\\p{Ll}+$',
  '\\p{Letter}',
  '\\P{L}',
  '\\p{Script=Greek}',
  '\\p{sc=Cyrillic}',
  '\\p{gc=Nd}',
  '\\p{ASCII}',
  '[\\P{ASCII}x]',
  '^(?<year>\\d{4})-(?<m>\\d\\d)$',
  '(?:ab|cd)+',
  '^[]$',
  '^[^]$',
  '[\\]\\[-]',
  '[a\\-z]',
  '[\\t\\n\\v\\f\\r]',
  '\\0',
  '\\cJ',
  '[\\cA-\\cZ]',
  '\\/',
  '^(a|b)*?c',
  'x{2,3}',
  '[😀-😂]',
  '^$',
  '',
  '\\$\\^\\.\\*\\+\\?\\(\\)\\{\\}\\|',
  '^[[:a]+$',
  '[\\w-]',
  '\\p{Any}',
];
const CHARS = [
  'a',
  'b',
  'c',
  'z',
  'A',
  'Z',
  '0',
  '9',
  '_',
  '-',
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u3000',
  '\u0008',
  'é',
  'Ω',
  'ж',
  'α',
  '😀',
  '😁',
  '[',
  ']',
  ':',
  '@',
  '.',
  '/',
  '$',
  '^',
  '\u0000',
  '\u000a',
];

describe('compileUserPattern', () => {
  it('matches what JavaScript matches, on inputs where the syntaxes differ', () => {
    for (const p of PATTERNS) {
      const js = new RegExp(p, 'u');
      const re2 = compileUserPattern(p);
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...CHARS), { maxLength: 8 }), (chars) => {
          const s = chars.join('');
          expect({ p, s, result: re2.test(s) }).toEqual({ p, s, result: js.test(s) });
        }),
        { numRuns: 300 },
      );
    }
  });

  it('keeps case-insensitive, multiline and dotAll flags', () => {
    for (const [p, flags, s] of [
      ['^abc$', 'i', 'ABC'],
      ['^b$', 'm', 'a\nb'],
      ['a.b', 's', 'a\nb'],
      ['a.b', '', 'a\nb'],
    ] as const) {
      expect(compileUserPattern(p, { flags }).test(s)).toBe(new RegExp(p, `u${flags}`).test(s));
    }
  });

  it('answers catastrophic-backtracking patterns correctly on long adversarial inputs', () => {
    const long = 'a'.repeat(50_000);
    const cases: [string, string, boolean][] = [
      ['^(a+)+$', `${long}!`, false],
      ['^(a+)+$', long, true],
      ['(a|aa)+$', `${long}!`, false],
      ['^(a|a?)+$', `${long}!`, false],
      ['^(.*a){20}$', `${long}!`, false],
      ['^([a-z]+)*[0-9]$', `${long}!`, false],
      ['^(\\w+\\s?)*$', `${'word '.repeat(10_000)}!`, false],
      ['^(a+)+b', `${long}b`, true],
    ];
    for (const [p, s, expected] of cases)
      expect({ p, result: compileUserPattern(p).test(s) }).toEqual({ p, result: expected });
  });

  it('refuses lookaround and backreferences with BAD_USER_INPUT naming the pattern and the reason', () => {
    const refused: [string, RegExp][] = [
      ['(?=a)a', /lookahead/],
      ['a(?!b)', /lookahead/],
      ['(?<=a)b', /lookbehind/],
      ['(?<!a)b', /lookbehind/],
      ['(a)\\1', /backreferences/],
      ['(?<x>a)\\k<x>', /backreferences/],
      ['(', /not a valid regular expression/],
      ['\\p{Emoji}', /Unicode property/],
      ['a{1001}', /RE2/],
      ['x'.repeat(MAX_PATTERN_LENGTH + 1), /longer than 1000/],
    ];
    for (const [p, reason] of refused) {
      let err: unknown;
      try {
        compileUserPattern(p, { field: 'rule.regex' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnsafePatternError);
      const e = err as UnsafePatternError;
      expect(e.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [{ field: 'rule.regex', message: expect.stringMatching(reason) }],
      });
      expect(e.message).toContain(JSON.stringify(p.slice(0, 20)).slice(1, -1));
    }
  });

  it('is the engine of an Ajv instance: patterns and patternProperties run on RE2', () => {
    const ajv = new Ajv({ code: { regExp: userRegExpEngine }, allErrors: true });
    const validate = ajv.compile({
      type: 'object',
      properties: { s: { type: 'string', pattern: '^(a+)+$' } },
      patternProperties: { '^x\\s': { type: 'number' } },
    });
    expect(validate({ s: `${'a'.repeat(100_000)}!` })).toBe(false);
    expect(validate({ s: 'aaa', 'x\u00a0': 1 })).toBe(true);
    expect(validate({ s: 'aaa', 'x\u00a0': 'no' })).toBe(false);
    expect(() => ajv.compile({ type: 'string', pattern: '(?=x)' })).toThrow(UnsafePatternError);
  });
});
