import { MAX_PATTERN_LENGTH } from '../../../../lib/src/index';
import type { Rng } from '../math/rng';

/** A regex feature the generator does not support (look-arounds, back-references...). */
export class UnsupportedPatternError extends Error {
  constructor(pattern: string, reason: string) {
    super(`pattern ${pattern} is not supported for generation: ${reason}`);
    this.name = 'UnsupportedPatternError';
  }
}

type Node =
  | { kind: 'set'; chars: string[] }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

const DIGIT = [...'0123456789'];
const WORD = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'];
const SPACE = [' '];
const PRINTABLE = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'];
/** Unbounded quantifiers (`*`, `+`, `{n,}`) stop this many repetitions past their minimum. */
const OPEN_REPEAT = 8;
/** Longest string generated for one pattern: counted repetitions multiply (`(a{1000}){1000}`). */
export const MAX_GENERATED_LENGTH = 10_000;

const SATURATED = Number.MAX_SAFE_INTEGER;
const times = (a: number, b: number) => (a === 0 || b === 0 ? 0 : a > SATURATED / b ? SATURATED : a * b);
const plus = (a: number, b: number) => Math.min(a + b, SATURATED);

/** The shortest and longest strings a node can produce (saturating, never overflowing). */
function lengths(node: Node): { min: number; max: number } {
  switch (node.kind) {
    case 'set':
      return { min: 1, max: 1 };
    case 'seq':
      return node.items
        .map(lengths)
        .reduce((a, b) => ({ min: plus(a.min, b.min), max: plus(a.max, b.max) }), { min: 0, max: 0 });
    case 'alt': {
      const all = node.options.map(lengths);
      return { min: Math.min(...all.map((l) => l.min)), max: Math.max(...all.map((l) => l.max)) };
    }
    case 'repeat': {
      const inner = lengths(node.node);
      return { min: times(inner.min, node.min), max: times(inner.max, node.max) };
    }
  }
}

/** Caps every repetition at `extra` past its minimum: a count in [min, capped max] still matches. */
function capRepeats(node: Node, extra: number): Node {
  switch (node.kind) {
    case 'set':
      return node;
    case 'seq':
      return { kind: 'seq', items: node.items.map((n) => capRepeats(n, extra)) };
    case 'alt':
      return { kind: 'alt', options: node.options.map((n) => capRepeats(n, extra)) };
    case 'repeat':
      return {
        kind: 'repeat',
        node: capRepeats(node.node, extra),
        min: node.min,
        max: Math.min(node.max, node.min + extra),
      };
  }
}

/**
 * Generates strings matching a JSON Schema `pattern` (ECMA-262 subset: literals, classes,
 * `\d \w \s .`, groups, alternation, quantifiers, anchors). The search is unanchored in JSON
 * Schema, so a string matching the whole pattern also satisfies it. Output stays within
 * MAX_GENERATED_LENGTH: when repetitions multiply past it, their counts are drawn from the low end.
 * @throws UnsupportedPatternError for constructs it cannot generate, or when even the shortest
 * match is longer than MAX_GENERATED_LENGTH
 */
export function generateFromPattern(pattern: string, rng: Rng): string {
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw new UnsupportedPatternError(pattern.slice(0, 80), `longer than ${MAX_PATTERN_LENGTH} characters`);
  let node = new PatternParser(pattern).parse();
  if (lengths(node).max > MAX_GENERATED_LENGTH) node = capRepeats(node, OPEN_REPEAT);
  if (lengths(node).max > MAX_GENERATED_LENGTH) node = capRepeats(node, 0);
  if (lengths(node).max > MAX_GENERATED_LENGTH) {
    throw new UnsupportedPatternError(
      pattern,
      `its shortest matches are longer than ${MAX_GENERATED_LENGTH} characters`,
    );
  }
  return emit(node, rng);
}

function emit(node: Node, rng: Rng): string {
  switch (node.kind) {
    case 'set':
      return node.chars.length ? rng.pick(node.chars) : '';
    case 'seq':
      return node.items.map((item) => emit(item, rng)).join('');
    case 'alt':
      return emit(rng.pick(node.options), rng);
    case 'repeat': {
      const count = node.min + rng.int(node.max - node.min + 1);
      let out = '';
      for (let i = 0; i < count; i++) out += emit(node.node, rng);
      return out;
    }
  }
}

class PatternParser {
  private i = 0;
  constructor(private readonly source: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.source.length)
      throw new UnsupportedPatternError(this.source, `unexpected "${this.source[this.i]}"`);
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.source[this.i] === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.source.length && this.source[this.i] !== '|' && this.source[this.i] !== ')') {
      const ch = this.source[this.i];
      if (ch === '^' || ch === '$') {
        this.i++;
        continue;
      }
      items.push(this.quantified(this.atom()));
    }
    return { kind: 'seq', items };
  }

  private atom(): Node {
    const ch = this.source[this.i++]!;
    if (ch === '(') {
      if (this.source[this.i] === '?') {
        const named = /^\?<[^=!>][^>]*>/.exec(this.source.slice(this.i, this.i + 64));
        if (named) this.i += named[0].length;
        else if (this.source[this.i + 1] === ':') this.i += 2;
        else throw new UnsupportedPatternError(this.source, 'look-around groups');
      }
      const inner = this.alternation();
      if (this.source[this.i++] !== ')') throw new UnsupportedPatternError(this.source, 'unbalanced group');
      return inner;
    }
    if (ch === '[') return this.characterClass();
    if (ch === '.') return { kind: 'set', chars: PRINTABLE };
    if (ch === '\\') return this.escape(false) as Node;
    return { kind: 'set', chars: [ch] };
  }

  private escape(inClass: boolean): Node | string[] {
    const ch = this.source[this.i++]!;
    const sets: Record<string, string[]> = { d: DIGIT, w: WORD, s: SPACE };
    if (sets[ch]) return inClass ? sets[ch] : { kind: 'set', chars: sets[ch] };
    if (/[DWSbB1-9]/.test(ch)) throw new UnsupportedPatternError(this.source, `escape \\${ch}`);
    const literal = ch === 'n' ? '\n' : ch === 't' ? '\t' : ch;
    return inClass ? [literal] : { kind: 'set', chars: [literal] };
  }

  private characterClass(): Node {
    if (this.source[this.i] === '^') throw new UnsupportedPatternError(this.source, 'negated classes');
    const chars: string[] = [];
    while (this.i < this.source.length && this.source[this.i] !== ']') {
      let start: string;
      if (this.source[this.i] === '\\') {
        this.i++;
        const escaped = this.escape(true) as string[];
        if (escaped.length > 1) {
          chars.push(...escaped);
          continue;
        }
        start = escaped[0]!;
      } else {
        start = this.source[this.i++]!;
      }
      if (this.source[this.i] === '-' && this.source[this.i + 1] !== ']' && this.i + 1 < this.source.length) {
        const end = this.source[this.i + 1] === '\\' ? this.source[this.i + 2] : this.source[this.i + 1];
        if (end === undefined) throw new UnsupportedPatternError(this.source, 'unterminated class');
        this.i += this.source[this.i + 1] === '\\' ? 3 : 2;
        for (let c = start.charCodeAt(0); c <= end.charCodeAt(0); c++) chars.push(String.fromCharCode(c));
      } else {
        chars.push(start);
      }
    }
    if (this.source[this.i++] !== ']') throw new UnsupportedPatternError(this.source, 'unterminated class');
    return { kind: 'set', chars };
  }

  private quantified(node: Node): Node {
    const ch = this.source[this.i];
    let min: number;
    let max: number;
    if (ch === '*' || ch === '+' || ch === '?') {
      this.i++;
      [min, max] = ch === '*' ? [0, OPEN_REPEAT] : ch === '+' ? [1, 1 + OPEN_REPEAT] : [0, 1];
    } else if (ch === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.i));
      if (!match) return node;
      this.i += match[0].length;
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === '' ? min + OPEN_REPEAT : Number(match[3]);
    } else {
      return node;
    }
    if (this.source[this.i] === '?') this.i++;
    return { kind: 'repeat', node, min, max };
  }
}
