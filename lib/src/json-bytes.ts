import { isAscii } from 'node:buffer';
import { randomBytes } from 'node:crypto';

/** Strings from this many bytes on are lifted out of a body before JSON.parse (see parseJsonBytes). */
export const LIFT_MIN_BYTES = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * `JSON.parse(bytes.toString('utf8'))`, with the same value and the same errors, at a fraction of the
 * cost for a body that carries a few large plain strings (a tensor as base64 `rawData`, 1.6 MB).
 * Decoding such a body to a string and parsing it copies the large string twice and scans it three
 * times (about 10 ms for 1.6 MB on these machines). Here a string value of LIFT_MIN_BYTES or more
 * whose bytes are ASCII with no escape and no control character (exactly what JSON.parse would give
 * for it) is taken from the bytes in one copy, its place in the text is held by a placeholder no
 * client can guess, the much smaller rest is parsed, and the placeholders are replaced. Anything else
 * (object keys, strings with escapes or non-ASCII text, small bodies) goes through JSON.parse as
 * always; a body that fails is parsed the plain way again, so its error is JSON.parse's own.
 */
export function parseJsonBytes(bytes: Buffer): unknown {
  if (bytes.length < LIFT_MIN_BYTES) return JSON.parse(bytes.toString('utf8'));
  const lifted = liftLargeStrings(bytes);
  if (!lifted) return JSON.parse(bytes.toString('utf8'));
  let value: unknown;
  try {
    value = JSON.parse(lifted.text);
  } catch {
    return JSON.parse(bytes.toString('utf8'));
  }
  try {
    return restore(value, lifted);
  } catch (err) {
    // Nested deeper than the walk goes: the plain way (the request's depth check then answers it).
    if (err === GIVE_UP) return JSON.parse(bytes.toString('utf8'));
    throw err;
  }
}

/** Nesting the walks over a value go into; deeper values are parsed or stringified the plain way. */
const MAX_WALK_DEPTH = 256;

interface Lifted {
  text: string;
  /** Placeholder prefix (a NUL, a per-call nonce): a string equal to it plus an index is lifted string `index`. */
  prefix: string;
  strings: string[];
}

/** Strings looked at before giving up (a body of many small strings is parsed the plain way). */
const MAX_STRINGS = 4096;

/** A placeholder prefix no client can guess: a NUL, `lifted:`, a per-call random nonce. */
const placeholderPrefix = (): string => `\u0000lifted:${randomBytes(12).toString('hex')}:`;

/** The body's text with each large plain string value replaced by a placeholder, or undefined when there is none. */
function liftLargeStrings(bytes: Buffer): Lifted | undefined {
  const pieces: string[] = [];
  const strings: string[] = [];
  let prefix = '';
  let copied = 0;
  let pos = 0;
  // The next backslash at or after a position: positions only grow, so the body is scanned once.
  let nextEscape = -2;
  const escapeFrom = (at: number) => {
    if (nextEscape !== -1 && nextEscape < at) nextEscape = bytes.indexOf(BACKSLASH, at);
    return nextEscape;
  };
  for (let seen = 0; ; seen++) {
    if (seen === MAX_STRINGS) return undefined;
    // Outside a string, a quote can only open one (JSON has no other quoted token).
    const open = bytes.indexOf(QUOTE, pos);
    if (open < 0) break;
    // The closing quote: the first one not escaped.
    let at = open + 1;
    let escaped = false;
    let close: number;
    for (;;) {
      close = bytes.indexOf(QUOTE, at);
      const escape = escapeFrom(at);
      if (close < 0 || escape < 0 || escape > close) break;
      escaped = true;
      at = escape + 2;
    }
    if (close < 0) break;
    pos = close + 1;
    if (escaped || close - open - 1 < LIFT_MIN_BYTES) continue;
    if (isKey(bytes, pos) || !isAscii(bytes.subarray(open + 1, close))) continue;
    // A raw control character: JSON.parse refuses it, so leave the string for JSON.parse to refuse.
    if (hasControlByte(bytes, open + 1, close)) continue;
    const value = bytes.toString('latin1', open + 1, close);
    if (!prefix) prefix = placeholderPrefix();
    pieces.push(bytes.toString('utf8', copied, open), JSON.stringify(`${prefix}${strings.length}`));
    strings.push(value);
    copied = close + 1;
  }
  if (strings.length === 0) return undefined;
  pieces.push(bytes.toString('utf8', copied));
  return { text: pieces.join(''), prefix, strings };
}

/**
 * Whether `bytes[start, end)`, all ASCII, hold a control character (a byte below 0x20). Four bytes at a
 * time: for a word x whose bytes are all below 0x80, `(x - 0x20202020) & ~x & 0x80808080` is non-zero
 * exactly when one of them is below 0x20 (the classic "has a byte less than n" test, exact for n ≤ 128).
 * About six times faster than a pattern over the string (0.4 ms against 2.3 ms for 1.6 MB).
 */
export function hasControlByte(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && (bytes.byteOffset + i) % 4 !== 0) if (bytes[i++]! < 0x20) return true;
  if (i >= end) return false;
  const count = (end - i) >>> 2;
  const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, count);
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const a = words[k]!;
    const b = words[k + 1]!;
    const c = words[k + 2]!;
    const d = words[k + 3]!;
    if (
      (((a - 0x20202020) & ~a) | ((b - 0x20202020) & ~b) | ((c - 0x20202020) & ~c) | ((d - 0x20202020) & ~d)) &
      0x80808080
    )
      return true;
  }
  for (; k < count; k++) if ((words[k]! - 0x20202020) & ~words[k]! & 0x80808080) return true;
  for (i += count * 4; i < end; i++) if (bytes[i]! < 0x20) return true;
  return false;
}

/** Whether the string that ended just before `pos` is an object key (a `:` follows it). */
function isKey(bytes: Buffer, pos: number): boolean {
  let at = pos;
  while (at < bytes.length) {
    const c = bytes[at]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c === 0x3a;
    at++;
  }
  return false;
}

/** The parsed value with every placeholder (a string value, never a key) replaced by its lifted string. */
function restore(value: unknown, lifted: Lifted): unknown {
  const swap = (v: unknown, depth = 0): unknown => {
    if (depth > MAX_WALK_DEPTH) throw GIVE_UP;
    if (typeof v === 'string') {
      if (v.startsWith(lifted.prefix)) return lifted.strings[Number(v.slice(lifted.prefix.length))];
      return v;
    }
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = swap(v[i], depth + 1);
      return v;
    }
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      const child = o[key];
      if (typeof child === 'object' || (typeof child === 'string' && child.startsWith(lifted.prefix)))
        o[key] = swap(child, depth + 1);
    }
    return o;
  };
  return swap(value);
}

/** Values looked at for large strings before giving up (a big structured value is stringified the plain way). */
const MAX_NODES = 10_000;

/**
 * `JSON.stringify(value)` as bytes to send, the same bytes its UTF-8 encoding gives, without building
 * a large string: string values of LIFT_MIN_BYTES or more that are ASCII and need no escaping (a
 * tensor's base64 `rawData`) are copied into the output as they are, and only the rest is
 * stringified. Building a 1.6 MB JSON string around such a value and encoding it cost 5-15 ms here
 * (a fresh large V8 string, flattened and then walked by the UTF-8 encoder); the copy well under 1 ms.
 * Without such a string, or past MAX_NODES values, it is `JSON.stringify(value)` itself (a string).
 * Only plain objects and arrays are looked into; anything else (a `toJSON`, a Date) is left to JSON.stringify.
 */
export function stringifyToBytes(value: unknown): string | Buffer {
  // The lifted strings: ASCII, so their latin1 bytes are the bytes UTF-8 gives; written into the output
  // as they are and checked there for control characters (no copy of their own).
  const strings: string[] = [];
  let budget = MAX_NODES;
  let prefix = '';
  /** The value with large plain strings replaced by placeholders (copied along their paths), or the same value. */
  const lift = (v: unknown, depth = 0): unknown => {
    if (--budget < 0 || depth > MAX_WALK_DEPTH) throw GIVE_UP;
    if (typeof v === 'string') {
      // ASCII with nothing JSON.stringify would escape (a quote, a backslash, a control character): native
      // scans of the string, then of its bytes, rather than a pattern walking 1.6 MB character by character.
      if (v.length < LIFT_MIN_BYTES || Buffer.byteLength(v, 'utf8') !== v.length) return v;
      if (v.includes('"') || v.includes('\\')) return v;
      if (!prefix) prefix = placeholderPrefix();
      strings.push(v);
      return `${prefix}${strings.length - 1}`;
    }
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const child = lift(v[i], depth + 1);
        if (child !== v[i]) (copy ??= v.slice())[i] = child;
      }
      return copy ?? v;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function')
      return v;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(v)) {
      const child = (v as Record<string, unknown>)[key];
      const lifted = lift(child, depth + 1);
      if (lifted !== child) {
        copy ??= { ...(v as Record<string, unknown>) };
        Object.defineProperty(copy, key, { value: lifted, enumerable: true, writable: true, configurable: true });
      }
    }
    return copy ?? v;
  };
  let shell: unknown;
  try {
    shell = lift(value);
  } catch (err) {
    if (err === GIVE_UP) return JSON.stringify(value);
    throw err;
  }
  const text = JSON.stringify(shell);
  if (strings.length === 0) return text;
  // Each placeholder appears once in the text, as JSON.stringify wrote it: the string's bytes go there,
  // written with the text around them into one buffer of the exact size.
  const found = strings
    .map((s, i) => {
      const token = JSON.stringify(`${prefix}${i}`);
      const at = text.indexOf(token);
      return { at, end: at + token.length, s };
    })
    .sort((a, b) => a.at - b.at);
  const pieces: { text: string; lifted: boolean }[] = [];
  let from = 0;
  for (const { at, end, s } of found) {
    pieces.push(
      { text: text.slice(from, at + 1), lifted: false },
      { text: s, lifted: true },
      { text: '"', lifted: false },
    );
    from = end;
  }
  pieces.push({ text: text.slice(from), lifted: false });
  const size = (piece: { text: string; lifted: boolean }) =>
    piece.lifted ? piece.text.length : Buffer.byteLength(piece.text, 'utf8');
  const out = Buffer.allocUnsafe(pieces.reduce((n, piece) => n + size(piece), 0));
  let at = 0;
  for (const piece of pieces) {
    const start = at;
    at += out.write(piece.text, at, piece.lifted ? 'latin1' : 'utf8');
    // A control character JSON escapes (rare in a large ASCII string): the plain way for all of it.
    if (piece.lifted && hasControlByte(out, start, at)) return JSON.stringify(value);
  }
  return out;
}

const GIVE_UP = Symbol('give up');
