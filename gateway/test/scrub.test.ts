import { describe, expect, it } from 'vitest';
import { INTERNAL_ADDRESS, createScrubber } from '../src/protection/scrub';

const scrub = createScrubber(() => ({
  catalog: 'http://catalog:4006/graphql',
  models: 'https://models.example.net/graphql',
}));
const X = INTERNAL_ADDRESS;

describe('scrubbing internal addresses out of answers', () => {
  it('replaces URLs on internal hosts and keeps public ones', () => {
    const cases: [string, string][] = [
      ['GET http://10.1.2.3:4003/internal/model-versions/x answered 404', `GET ${X} answered 404`],
      ['see (http://catalog:4006/internal/datasets/1).', `see (${X}).`],
      ['at "http://catalog.aic.svc.cluster.local:4006/graphql"', `at "${X}"`],
      ['ws://localhost:4001/graphql closed', `${X} closed`],
      ['http://user:pw@10.0.0.9/x', X],
      ['http://[fd00::12]:4004/v2 down', `${X} down`],
      ['https://models.example.net/graphql is a subgraph', `${X} is a subgraph`],
      ['read https://docs.example.com/errors/x?y=1 please', 'read https://docs.example.com/errors/x?y=1 please'],
      ['url=http://127.0.0.1:9/x', `url=${X}`],
    ];
    for (const [input, output] of cases) expect(scrub.text(input), input).toBe(output);
  });

  it('replaces bare internal addresses and keeps ordinary words, numbers and versions', () => {
    const cases: [string, string][] = [
      ['connect ECONNREFUSED 127.0.0.1:4006', `connect ECONNREFUSED ${X}`],
      ['connect ECONNREFUSED ::1:4003', `connect ECONNREFUSED ${X}`],
      ['[::1]:4001 refused', `${X} refused`],
      ['db 192.168.1.7:5432, cache redis.aic.svc:6379.', `db ${X}, cache ${X}`],
      ['catalog:4006 and localhost', `${X} and ${X}`],
      ['status:404 for catalog in version 1.30.0', 'status:404 for catalog in version 1.30.0'],
      ['Dataset 9f1c not found', 'Dataset 9f1c not found'],
    ];
    for (const [input, output] of cases) expect(scrub.text(input), input).toBe(output);
  });

  it("keeps a user's patterns and bracketed words that are no IPv6 literal", () => {
    const cases = [
      'Pattern "^(?!admin)[a-z]+$" is refused: lookahead needs a backtracking engine',
      '#/properties/v/pattern: Pattern "[a-f0-9]{8}:[0-9]+" is refused',
      'character classes [abc], [0-9a-f:] and [::x] and std::vector and a::b::c::d::e::f::g::h::i',
      'list [1] and [a]:80 stay',
    ];
    for (const input of cases) expect(scrub.text(input), input).toBe(input);
  });

  it('replaces IPv6 literals in brackets with a zone or port, and bare', () => {
    const cases: [string, string][] = [
      ['[fe80::1%eth0]:8080 and [2001:db8::7]', `${X} and ${X}`],
      ['peer fd00::12 refused', `peer ${X} refused`],
    ];
    for (const [input, output] of cases) expect(scrub.text(input), input).toBe(output);
  });

  it('drops stack frames and internal keys at any depth', () => {
    expect(scrub.text('boom\n    at Object.<anonymous> (/srv/app.js:10:5)\n    at next (x.js:1:1)')).toBe('boom');
    expect(
      scrub.data({
        code: 'X',
        response: { url: 'http://10.0.0.1' },
        detail: [{ stacktrace: ['a'], note: 'via 10.0.0.1:80', exception: {} }],
      }),
    ).toEqual({ code: 'X', detail: [{ note: `via ${X}` }] });
  });

  it('handles very long client-controlled text', () => {
    for (const unit of ['a.', 'a://', '[::', 'x.svc', ':', '\n ', 'http://a', '1.1.']) {
      const input = unit.repeat(200_000);
      expect(typeof scrub.text(input)).toBe('string');
    }
    expect(scrub.text(`${'a'.repeat(500_000)} 10.0.0.1`)).toBe(`${'a'.repeat(500_000)} ${X}`);
  });
});
