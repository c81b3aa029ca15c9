import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findUnstorableStrings, unstorableReason } from '../src/storable-input';

// eslint-disable-next-line no-control-regex -- the definition: NUL, or a surrogate without its pair
const DEFINITION = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const reasonByDefinition = (text: string) => {
  const found = DEFINITION.exec(text);
  if (!found) return undefined;
  return found[0] === '\u0000' ? 'NUL' : 'surrogate';
};
const kindOf = (reason: string | undefined) =>
  reason === undefined
    ? undefined
    : reason.includes('NUL')
      ? 'NUL'
      : reason.includes('surrogate')
        ? 'surrogate'
        : reason;

describe('unstorableReason', () => {
  it('names the first problem: a NUL or a lone surrogate, whichever comes first', () => {
    expect(unstorableReason('plain text, café, 中文, 😀')).toBeUndefined();
    expect(unstorableReason('')).toBeUndefined();
    expect(kindOf(unstorableReason('a\u0000b'))).toBe('NUL');
    expect(kindOf(unstorableReason('a\ud800b'))).toBe('surrogate');
    expect(kindOf(unstorableReason('a\udc00'))).toBe('surrogate');
    expect(kindOf(unstorableReason('\ud83d\ude00\u0000\ud800'))).toBe('NUL');
    expect(kindOf(unstorableReason('\ud800\u0000'))).toBe('surrogate');
    expect(kindOf(unstorableReason('\ude00\ud83d'))).toBe('surrogate');
  });

  it('agrees with the definition on random text of NULs, surrogates (paired and lone) and ASCII', () => {
    const pieces = ['a', 'Z', '\u0000', '\ud83d', '\ude00', '\ud83d\ude00', 'é', '中'];
    for (let trial = 0; trial < 2000; trial++) {
      const text = Array.from({ length: randomInt(12) }, () => pieces[randomInt(pieces.length)]).join('');
      expect(kindOf(unstorableReason(text)), JSON.stringify(text)).toBe(reasonByDefinition(text));
    }
  });

  it('finds a NUL at the very end of a large well-formed string, and says nothing of a clean one', () => {
    const big = 'QUJD'.repeat(400_000);
    expect(unstorableReason(big)).toBeUndefined();
    expect(kindOf(unstorableReason(`${big}\u0000`))).toBe('NUL');
    expect(findUnstorableStrings({ inputs: [{ rawData: `${big}\ud800` }] }, 'input')).toEqual([
      { field: 'input.inputs[0].rawData', message: unstorableReason('\ud800') },
    ]);
  });
});
