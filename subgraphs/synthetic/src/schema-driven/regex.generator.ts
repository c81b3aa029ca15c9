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

/**
 * Generates strings matching a JSON Schema `pattern` (ECMA-262 subset: literals, classes,
 * `\d \w \s .`, groups, alternation, quantifiers, anchors). The search is unanchored in JSON
 * Schema, so a string matching the whole pattern also satisfies it.
 */
export function generateFromPattern(pattern: string, rng: Rng): string {
  const parser = new PatternParser(pattern);
  const node = parser.parse();
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
    if (this.i < this.source.length) throw new UnsupportedPatternError(this.source, `unexpected "${this.source[this.i]}"`);
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.source[this.i] === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0] : { kind: 'alt', options };
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
    const ch = this.source[this.i++];
    if (ch === '(') {
      if (this.source[this.i] === '?') {
        if (this.source[this.i + 1] !== ':') throw new UnsupportedPatternError(this.source, 'look-around groups');
        this.i += 2;
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
    const ch = this.source[this.i++];
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
        start = escaped[0];
      } else {
        start = this.source[this.i++];
      }
      if (this.source[this.i] === '-' && this.source[this.i + 1] !== ']' && this.i + 1 < this.source.length) {
        const end = this.source[this.i + 1] === '\\' ? this.source[this.i + 2] : this.source[this.i + 1];
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
