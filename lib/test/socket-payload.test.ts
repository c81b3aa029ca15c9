import { describe, expect, it } from 'vitest';
import { SOCKET_STRING_MAX, socketPayload } from '../src/graphql-http';

describe('socketPayload', () => {
  it('gives the UTF-8 bytes of a large answer, whatever characters it holds', () => {
    const base = 'A'.repeat(SOCKET_STRING_MAX);
    // Built as JSON.stringify builds a request around a large string (the case the Latin-1 copy is for).
    const rawData = Buffer.alloc(300_000, 7).toString('base64');
    const texts = [
      base,
      JSON.stringify({ query: 'mutation { x }', variables: { rawData } }),
      `${base}\u0080`,
      `${base}\u00e9`,
      `${base}\u00ff`,
      `${base}\u0141`,
      `${base}\u4e2d`,
      `${base}\u{1f600}`,
      `${base}\ud800`,
      `\udc00${base}`,
      `${base}\u0000\u007f`,
    ];
    for (const text of texts) {
      const out = socketPayload(text);
      expect(Buffer.isBuffer(out), text.slice(-4)).toBe(true);
      expect((out as Buffer).equals(Buffer.from(text, 'utf8')), JSON.stringify(text.slice(-4))).toBe(true);
    }
  });

  it('hands a small answer over as the string itself', () => {
    expect(socketPayload('{"data":{"a":"\u00e9"}}')).toBe('{"data":{"a":"\u00e9"}}');
  });
});
