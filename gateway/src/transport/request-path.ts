/** A request target that passed `checkRequestPath`: its raw path, split, and its query string. */
export interface CheckedPath {
  /** The raw (still percent-encoded) path, starting with `/`. */
  path: string;
  /** The raw segments of `path` (a trailing slash gives a last empty segment). */
  segments: string[];
  /** `?…` or the empty string. */
  search: string;
}

export type PathVerdict = { ok: true; value: CheckedPath } | { ok: false; reason: string };

// RFC 3986 pchar plus `/`: anything else (backslash, space, quotes, `#`, non-ASCII, controls) is refused.
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const BAD_TRIPLET = /%(?![0-9A-Fa-f]{2})/;
const ENCODED_DOT = /%2e/i;
const isControl = (s: string) => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
};
const STILL_ENCODED = /%[0-9A-Fa-f]{2}/;

const refuse = (reason: string): PathVerdict => ({ ok: false, reason });

/**
 * Checks a request target as the client sent it, before anything routes or forwards on it, so that
 * no later decoding or URL normalisation (ours, a URL parser's or an upstream server's) can move it
 * somewhere else: only RFC 3986 path characters; every segment decoded exactly once; no `.` or `..`
 * segment (also as `..;param`, `%2e`, `.%2E` …), no `%2e` at all, no encoded `/` or `\`, no encoded
 * control character or NUL, nothing still percent-encoded after one decoding (double encoding), no
 * empty segment (`//`) except a trailing slash. An absolute-form target (`http://host/path`) is
 * checked on its path.
 * @returns the raw path, its segments and query string, or why it is refused
 */
export function checkRequestPath(target: string): PathVerdict {
  let rest = target;
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length) || '/';
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  const search = q < 0 ? '' : rest.slice(q);
  if (!path.startsWith('/')) return refuse('the path must start with "/"');
  if (!PATH_CHARS.test(path)) return refuse('the path holds a character that must be percent-encoded');
  if (BAD_TRIPLET.test(path)) return refuse('the path holds a malformed percent-encoding');
  const segments = path.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const raw = segments[i]!;
    if (raw === '') {
      if (i === segments.length - 1) continue;
      return refuse('the path holds an empty segment');
    }
    if (ENCODED_DOT.test(raw)) return refuse('the path holds an encoded dot');
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return refuse('the path holds a percent-encoding that is not UTF-8');
    }
    if (decoded.includes('/') || decoded.includes('\\')) return refuse('the path holds an encoded separator');
    if (isControl(decoded)) return refuse('the path holds an encoded control character');
    if (STILL_ENCODED.test(decoded)) return refuse('the path is encoded twice');
    if (/^\.+$/.test(decoded.split(';')[0]!.trim())) return refuse('the path holds a dot segment');
  }
  return { ok: true, value: { path, segments, search } };
}
