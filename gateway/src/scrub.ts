/** What replaces an internal address in an answer. */
export const INTERNAL_ADDRESS = '[internal address]';

const URL_PATTERN = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/(\[[0-9A-Fa-f:.]*\]|[^\s/?#:"'`<>\\,;()[\]{}]*)(?::\d{1,5})?[^\s"'`<>\\()[\]{}]*/g;
const IPV4 = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\w.])/g;
const IPV6 = /\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\](?::\d{1,5})?|(?<![\w:])(?:::1|::ffff:[0-9A-Fa-f:.]+)(?::\d{1,5})?(?![\w:])/g;
const NAMED_WITH_PORT = /(?<![\w.-])(localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:local|internal|svc|cluster\.local|lan|home\.arpa))(?::\d{1,5})?(?![\w.-])/gi;
const STACK_LINE = /\n\s+at .*/g;
/** Upstream HTTP exchanges and stacks describe the platform's insides, never the caller's problem. */
const INTERNAL_KEYS = new Set(['response', 'exception', 'stacktrace', 'http']);

/** A host only the platform itself can reach: an IP literal, localhost, a single-label or cluster name, or a subgraph's host. */
function isInternalHost(host: string, known: ReadonlySet<string>): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (known.has(h) || h === 'localhost' || h.endsWith('.localhost') || !h.includes('.') || h.includes(':')) return true;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || /\.(local|internal|svc|cluster\.local|lan|home\.arpa)$/.test(h);
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
      known = new Set(Object.values(urls).flatMap((u) => (URL.canParse(u) ? [new URL(u).hostname.toLowerCase().replace(/^\[|\]$/g, '')] : [])));
    }
    return known;
  };
  const text = (input: string): string => {
    const k = hosts();
    let out = input.replace(STACK_LINE, '').replace(URL_PATTERN, (m, host: string) => (isInternalHost(host, k) ? INTERNAL_ADDRESS : m));
    out = out.replace(IPV4, INTERNAL_ADDRESS).replace(IPV6, INTERNAL_ADDRESS).replace(NAMED_WITH_PORT, INTERNAL_ADDRESS);
    for (const host of k) if (out.includes(`${host}:`)) out = out.split(new RegExp(`(?<![\\w.-])${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d{1,5}`, 'g')).join(INTERNAL_ADDRESS);
    return out;
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
