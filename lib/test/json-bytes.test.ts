import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasControlByte, LIFT_MIN_BYTES, parseJsonBytes, stringifyToBytes } from '../src/json-bytes';

/** What parseJsonBytes must agree with: the value, or the error message. */
function plain(bytes: Buffer): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(bytes.toString('utf8')) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function ours(bytes: Buffer): { value?: unknown; error?: string } {
  try {
    return { value: parseJsonBytes(bytes) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const big = (n = LIFT_MIN_BYTES + 10) =>
  randomBytes(Math.ceil((n * 3) / 4))
    .toString('base64')
    .slice(0, n);

/** A seeded generator, so a failure names a case that can be run again. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('parseJsonBytes', () => {
  it('gives what JSON.parse gives for a predict body with a large base64 string, lifted from the bytes', () => {
    const data = big(1_600_000);
    const body = {
      query: 'mutation P($d: String!) { predict(endpoint: "e", rawData: $d) { rawOutputs } }',
      variables: { d: data, shape: [1, 3, 320, 320], note: 'caf\u00e9 \u{1f600}' },
    };
    const bytes = Buffer.from(JSON.stringify(body));
    const parsed = parseJsonBytes(bytes) as typeof body;
    expect(parsed).toEqual(body);
    expect(parsed.variables.d).toBe(data);
  });

  it('agrees with JSON.parse on large strings of every kind: escapes, keys, non-ASCII, control characters, placement', () => {
    const cases: string[] = [
      // Value positions: top level, in arrays, in nested objects, several per body, whitespace around.
      JSON.stringify(big()),
      JSON.stringify([big(), 1, big(), 'x']),
      ` { "a" : \n "${big()}" , "b": [ "${big()}" ] }\t`,
      JSON.stringify({ a: { b: { c: [[big()]] } }, d: null, e: true, f: -1.5e3 }),
      // A large key is never lifted (a placeholder key would change the object).
      `{"${big()}": 1, "k": "${big()}"}`,
      `{"${big()}"\n:\n"${big()}"}`,
      // Escapes inside the large string, and escaped quotes before it.
      JSON.stringify({ a: `${big()}"\\\n${big(10)}` }),
      JSON.stringify({ q: 'a "quoted" \\ text', d: big() }),
      JSON.stringify({ q: '\\', d: big() }),
      JSON.stringify({ q: '\\"', d: big(), r: '"\\' }),
      // Non-ASCII in the large string and around it.
      JSON.stringify({ a: `${big()}\u00e9\u4e2d\u{1f600}`, b: '\u00e9' }),
      JSON.stringify({ '\u00e9': big(), '\u{1f600}': ['\u4e2d', big()] }),
      // Control characters are invalid raw in a JSON string: the error must be JSON.parse's.
      `{"a": "${big()}\u0001"}`,
      `{"a": "${big()}\n${big()}"}`,
      `{"a": "${big()}\t"}`,
      // Invalid JSON around a liftable string.
      `{"a": "${big()}"`,
      `{"a": "${big()}",}`,
      `{"a" "${big()}"}`,
      `["${big()}" "${big()}"]`,
      `{"a": "${big()}"} x`,
      `{"a": "${big()}`,
      `"${big()}`,
      `{"a": "\\x${big()}"}`,
      `\ufeff{"a": "${big()}"}`,
      // __proto__ as a key stays an own property.
      `{"__proto__": "${big()}", "b": {"__proto__": ["${big()}"]}}`,
      // A string that looks like a placeholder but carries no valid nonce stays as it is.
      JSON.stringify({ a: '\u0000lifted:000000000000000000000000:0', b: big() }),
      JSON.stringify({ a: big(), b: '\u0000lifted:' }),
      // Just under and at the threshold.
      JSON.stringify({ a: big(LIFT_MIN_BYTES - 1), b: big(LIFT_MIN_BYTES) }),
    ];
    for (const [i, text] of cases.entries()) {
      const bytes = Buffer.from(text);
      expect(ours(bytes), `case ${i}`).toEqual(plain(bytes));
    }
  });

  it('agrees with JSON.parse on random bodies and on random one-byte damage to them', () => {
    const alphabet = ['"', '\\', ':', ',', '{', '}', '[', ']', ' ', 'a', '\u00e9', '\n', '0'];
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(seed);
      const value = randomValue(r, 0);
      const text = JSON.stringify(value);
      const bytes = Buffer.from(text);
      expect(ours(bytes), `seed ${seed}`).toEqual(plain(bytes));
      for (let k = 0; k < 8; k++) {
        const at = Math.floor(r() * text.length);
        const damaged = Buffer.from(
          text.slice(0, at) + alphabet[Math.floor(r() * alphabet.length)] + text.slice(at + 1),
        );
        expect(ours(damaged), `seed ${seed}, damage ${k} at ${at}`).toEqual(plain(damaged));
      }
    }
  });

  it('parses a deeply nested body with a large string the plain way, to the same value', () => {
    const data = big();
    const bytes = Buffer.from(`${'['.repeat(1000)}"${data}"${']'.repeat(1000)}`);
    let v = parseJsonBytes(bytes);
    for (let i = 0; i < 1000; i++) v = (v as unknown[])[0];
    expect(v).toBe(data);
  });

  it('parses a body of many strings and small bodies the plain way', () => {
    const many = Buffer.from(JSON.stringify({ rows: Array.from({ length: 5000 }, (_, i) => `r${i}`), d: big() }));
    expect(ours(many)).toEqual(plain(many));
    const small = Buffer.from('{"a":"b"}');
    expect(parseJsonBytes(small)).toEqual({ a: 'b' });
    expect(() => parseJsonBytes(Buffer.from('{"a":'))).toThrow(SyntaxError);
  });
});

describe('hasControlByte', () => {
  const byDefinition = (bytes: Uint8Array, start: number, end: number) =>
    bytes.subarray(start, end).some((b) => b < 0x20);

  it('finds a control byte wherever it sits: head, words, tail, any alignment, every value below 0x20', () => {
    const backing = Buffer.alloc(96);
    for (let offset = 0; offset < 8; offset++) {
      for (let length = 0; length <= 80; length += length < 20 ? 1 : 7) {
        const bytes = backing.subarray(offset, offset + length);
        // Printable ASCII, the edges included: 0x20 and 0x7f are no control characters for JSON.
        for (let i = 0; i < length; i++) bytes[i] = [0x20, 0x7f, 0x41, 0x2f][(i * 7 + offset) % 4]!;
        expect(hasControlByte(bytes, 0, length)).toBe(false);
        for (let at = 0; at < length; at++) {
          const kept = bytes[at]!;
          for (const control of [0x00, 0x01, 0x0a, 0x1f]) {
            bytes[at] = control;
            expect(hasControlByte(bytes, 0, length)).toBe(true);
            // Outside the range looked at, it does not count.
            expect(hasControlByte(bytes, at + 1, length)).toBe(false);
            expect(hasControlByte(bytes, 0, at)).toBe(false);
          }
          bytes[at] = kept;
        }
      }
    }
    for (let value = 0; value < 0x80; value++) {
      const bytes = Buffer.alloc(40, 0x61);
      bytes[21] = value;
      expect(hasControlByte(bytes, 0, 40)).toBe(value < 0x20);
    }
  });

  it('agrees with a byte-by-byte scan on random ASCII', () => {
    for (let trial = 0; trial < 300; trial++) {
      const bytes = randomBytes(1 + (trial % 97) * 13).map((b) => (trial % 3 === 0 ? 0x20 + (b % 0x60) : b & 0x7f));
      const start = trial % 5;
      const end = Math.max(start, bytes.length - (trial % 4));
      expect(hasControlByte(bytes, start, end)).toBe(byDefinition(bytes, start, end));
    }
  });
});

describe('stringifyToBytes', () => {
  const bytesOf = (out: string | Buffer) => (typeof out === 'string' ? Buffer.from(out, 'utf8') : out);

  it('gives the UTF-8 bytes of JSON.stringify, with large plain strings copied in, and leaves the value as it was', () => {
    const data = big(1_600_000);
    const date = new Date(0);
    const cases: unknown[] = [
      { query: 'mutation { predict }', variables: { d: data, shape: [1, 3, 320, 320] }, operationName: undefined },
      {
        variables: {
          inputs: [
            { name: 'x', rawData: data },
            { name: 'y', rawData: big() },
          ],
        },
      },
      data,
      [data, undefined, () => 1, null, data],
      { a: undefined, b: data, c: { toJSON: () => data }, d: date, e: new Map([[1, 2]]) },
      JSON.parse(`{"__proto__": "${big()}", "x": {"__proto__": ["${big()}"]}}`),
      {
        escaped: `${big()}"`,
        backslash: `${big()}\\`,
        control: `${big()}\n`,
        nonAscii: `${big()}\u00e9`,
        astral: `${big()}\u{1f600}`,
      },
      { lone: `${big()}\ud800`, del: `${big()}\u007f`, ok: big() },
      { nul: `\u0000${big()}`, unit: `${big(1001)}\u001f${big()}`, quote: `"${big()}`, tab: `${big(4097)}\t${big()}` },
      { '1': big(), b: 2, '0': big(), a: 'x' },
      // one large string clean, the next with a control character: all of it the plain way
      { clean: big(), soh: `${big(3)}\u0001${big()}` },
      { small: 'x'.repeat(LIFT_MIN_BYTES - 1), looksLifted: '\u0000lifted:00:0', d: big() },
    ];
    for (const [i, value] of cases.entries()) {
      const before = JSON.stringify(value);
      const out = stringifyToBytes(value);
      expect(bytesOf(out).equals(Buffer.from(JSON.stringify(value), 'utf8')), `case ${i}`).toBe(true);
      expect(JSON.stringify(value), `case ${i} unchanged`).toBe(before);
    }
    // The rawData case goes out as bytes, never as a string.
    expect(Buffer.isBuffer(stringifyToBytes(cases[0]))).toBe(true);
  });

  it('agrees with JSON.stringify on random values, and gives a value of many parts to JSON.stringify as it is', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const value = randomValue(rng(seed), 0);
      expect(bytesOf(stringifyToBytes(value)).equals(Buffer.from(JSON.stringify(value))), `seed ${seed}`).toBe(true);
    }
    const many = { rows: Array.from({ length: 20_000 }, (_, i) => i), d: big() };
    expect(stringifyToBytes(many)).toBe(JSON.stringify(many));
  });

  it('stringifies a deeply nested value the plain way', () => {
    let value: unknown = big();
    for (let i = 0; i < 1000; i++) value = [value];
    expect(bytesOf(stringifyToBytes(value)).equals(Buffer.from(JSON.stringify(value)))).toBe(true);
  });

  it('round-trips through parseJsonBytes', () => {
    const value = { query: 'q', variables: { inputs: [{ rawData: big(1_000_000), shape: [2] }] } };
    expect(parseJsonBytes(bytesOf(stringifyToBytes(value)))).toEqual(value);
  });
});

function randomValue(r: () => number, depth: number): unknown {
  const pick = r();
  if (depth > 3 || pick < 0.35) {
    const leaf = r();
    if (leaf < 0.3) return big(LIFT_MIN_BYTES + Math.floor(r() * 5000));
    if (leaf < 0.5) return `s${Math.floor(r() * 100)}"\\${'\u00e9'.repeat(Math.floor(r() * 3))}`;
    if (leaf < 0.7) return Math.floor(r() * 1e6) / 100;
    if (leaf < 0.8) return null;
    return r() < 0.5;
  }
  if (pick < 0.65) return Array.from({ length: 1 + Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < 1 + Math.floor(r() * 4); i++)
    o[r() < 0.1 ? big(LIFT_MIN_BYTES + 1) : `k${i}${r() < 0.2 ? '"\\' : ''}`] = randomValue(r, depth + 1);
  return o;
}
