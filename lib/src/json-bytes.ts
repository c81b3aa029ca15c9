import { isAscii } from 'node:buffer';
import { randomBytes } from 'node:crypto';

/** Strings from this many bytes on are lifted out of a body before JSON.parse (see parseJsonBytes). */
export const LIFT_MIN_BYTES = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
// eslint-disable-next-line no-control-regex -- the characters JSON refuses raw in a string are the point
const CONTROL = /[\u0000-\u001f]/;

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
  return restore(value, lifted);
}

interface Lifted {
  text: string;
  /** Placeholder prefix (a NUL, a per-call nonce): a string equal to it plus an index is lifted string `index`. */
  prefix: string;
  strings: string[];
}

/** Strings looked at before giving up (a body of many small strings is parsed the plain way). */
const MAX_STRINGS = 4096;

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
    const value = bytes.toString('latin1', open + 1, close);
    // A raw control character: JSON.parse refuses it, so leave the string for JSON.parse to refuse.
    if (CONTROL.test(value)) continue;
    if (!prefix) prefix = `\u0000lifted:${randomBytes(12).toString('hex')}:`;
    pieces.push(bytes.toString('utf8', copied, open), JSON.stringify(`${prefix}${strings.length}`));
    strings.push(value);
    copied = close + 1;
  }
  if (strings.length === 0) return undefined;
  pieces.push(bytes.toString('utf8', copied));
  return { text: pieces.join(''), prefix, strings };
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
  const swap = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (v.startsWith(lifted.prefix)) return lifted.strings[Number(v.slice(lifted.prefix.length))];
      return v;
    }
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = swap(v[i]);
      return v;
    }
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      const child = o[key];
      if (typeof child === 'object' || (typeof child === 'string' && child.startsWith(lifted.prefix)))
        o[key] = swap(child);
    }
    return o;
  };
  return swap(value);
}
