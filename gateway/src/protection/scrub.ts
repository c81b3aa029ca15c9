import { isIPv6 } from 'node:net';

/** What replaces an internal address in an answer. */
export const INTERNAL_ADDRESS = '[internal address]';

// Every pattern here runs in linear time: error messages may echo client input of megabytes, and a
// backtracking pattern over them would let a client stall the gateway.
const WORD = /[^\s"'`<>(){},;]+/g;
const ADDRESS_LIKE = /[A-Za-z0-9.\-:[\]%]+/g;
const STACK_LINE = /\n[ \t]+at [^\n]*/g;
const INTERNAL_SUFFIX = /\.(local|internal|svc|cluster\.local|lan|home\.arpa|localhost)$/;
/** Upstream HTTP exchanges and stacks describe the platform's insides, never the caller's problem. */
const INTERNAL_KEYS = new Set(['response', 'exception', 'stacktrace', 'http']);

const isSchemeChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
const isAlpha = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isIpv4 = (h: string) => {
  const parts = h.split('.');
  return parts.length === 4 && parts.every((p) => p.length > 0 && p.length <= 3 && /^\d+$/.test(p));
};

/** A host only the platform itself can reach: an IP literal, localhost, a single-label or cluster name, or a subgraph's host. */
function isInternalHost(host: string, known: ReadonlySet<string>): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === '' || known.has(h) || h === 'localhost' || !h.includes('.') || h.includes(':')) return true;
  return isIpv4(h) || INTERNAL_SUFFIX.test(h);
}

/** The URLs of one word (no spaces or quotes): an internal one is replaced with the rest of the word. */
function scrubUrls(word: string, known: ReadonlySet<string>): string {
  let searchAt = 0;
  for (;;) {
    const i = word.indexOf('://', searchAt);
    if (i < 0) return word;
    let s = i;
    while (s > 0 && isSchemeChar(word.charCodeAt(s - 1))) s--;
    while (s < i && !isAlpha(word.charCodeAt(s))) s++;
    let e = i + 3;
    while (e < word.length && word[e] !== '/' && word[e] !== '?' && word[e] !== '#') e++;
    if (s < i) {
      const userAndHost = word.slice(i + 3, e);
      const authority = userAndHost.slice(userAndHost.lastIndexOf('@') + 1);
      const host = authority.startsWith('[')
        ? authority.slice(0, authority.indexOf(']') + 1)
        : (authority.split(':')[0] ?? '');
      if (isInternalHost(host, known)) return `${word.slice(0, s)}${INTERNAL_ADDRESS}`;
    }
    searchAt = e;
  }
}

/** @returns whether a token is a bare internal address: `10.0.0.5:5432`, `[::1]:4001`, `::1`, `redis.ns.svc:6379`, `localhost`, a subgraph's host:port */
function bareAddress(token: string, known: ReadonlySet<string>): boolean {
  const t = token.replace(/[.:]+$/, '');
  // Only an IPv6 literal: `[a-z]` in a user's pattern or a message is no address.
  if (t.startsWith('['))
    return (
      t.includes(']') &&
      isIPv6(t.slice(1, t.indexOf(']')).replace(/%.*$/, '')) &&
      /^(:\d+)?$/.test(t.slice(t.indexOf(']') + 1))
    );
  if (t.includes('::')) return isIPv6(t);
  const colon = t.lastIndexOf(':');
  const hasPort = colon > 0 && /^\d{1,5}$/.test(t.slice(colon + 1));
  const host = (hasPort ? t.slice(0, colon) : t).toLowerCase();
  if (host.includes(':')) return false;
  if (isIpv4(host) || host === 'localhost' || INTERNAL_SUFFIX.test(host)) return true;
  return hasPort && known.has(host);
}

/** A function that rewrites internal addresses and stack frames out of client-facing text and data. */
export interface Scrubber {
  text(text: string): string;
  /** A deep copy of JSON-like data with every string scrubbed and internal keys (`response`, `stacktrace` ...) dropped. */
  data<T>(value: T): T;
}

/**
 * Scrubs what a client must not learn about the platform's insides: URLs on internal hosts
 * (subgraph routing URLs, IP literals, localhost, single-label and cluster names), bare IP:port and
 * cluster host:port pairs, and stack frames. Public addresses (`https://example.com/...`) stay.
 * @param subgraphUrls the current subgraph routing URLs (their hosts count as internal, even public names)
 */
export function createScrubber(subgraphUrls: () => Record<string, string>): Scrubber {
  let seen: Record<string, string> | undefined;
  let known = new Set<string>();
  const hosts = () => {
    const urls = subgraphUrls();
    if (urls !== seen) {
      seen = urls;
      known = new Set(
        Object.values(urls).flatMap((u) =>
          URL.canParse(u) ? [new URL(u).hostname.toLowerCase().replace(/^\[|\]$/g, '')] : [],
        ),
      );
    }
    return known;
  };
  const text = (input: string): string => {
    const k = hosts();
    return input.replace(STACK_LINE, '').replace(WORD, (word) => {
      const out = scrubUrls(word, k);
      return out.replace(ADDRESS_LIKE, (token) => (bareAddress(token, k) ? INTERNAL_ADDRESS : token));
    });
  };
  const data = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') return text(value);
    if (typeof value !== 'object' || value === null) return value;
    if (depth > 8) return undefined;
    if (Array.isArray(value)) return value.map((v) => data(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!INTERNAL_KEYS.has(k)) out[k] = data(v, depth + 1);
    return out;
  };
  return { text, data: <T>(value: T) => data(value) as T };
}

/** An upstream REST error body without internal addresses: JSON scrubbed value by value, anything else as text. */
export function scrubBody(scrub: Scrubber, text: string): string {
  try {
    return JSON.stringify(scrub.data(JSON.parse(text) as unknown));
  } catch {
    return scrub.text(text);
  }
}
