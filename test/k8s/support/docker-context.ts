// The Docker build context as `docker build .` sends it: the directory's files minus what .dockerignore
// excludes, and what a stage's `COPY` lines take from it. Lets the image test build from exactly the
// files an image build sees, without Docker.
import fs from 'node:fs';
import path from 'node:path';

interface IgnoreRule {
  exclusion: boolean;
  re: RegExp;
}

/** A Go filepath.Match pattern with `**` (moby's patternmatcher) as an anchored regular expression. */
function patternToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) throw new Error(`.dockerignore: unterminated [ in ${pattern}`);
      re += `[${pattern.slice(i + 1, end).replace(/^\^|^!/, '^')}]`;
      i = end;
    } else if (c === '\\') re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Reads .dockerignore: comments and blank lines skipped, `!` re-includes, each pattern cleaned of `./` and a leading `/`. */
export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const exclusion = l.startsWith('!');
      const cleaned = path.posix
        .normalize((exclusion ? l.slice(1) : l).trim())
        .replace(/^\/+/, '')
        .replace(/\/+$/, '');
      return { exclusion, re: patternToRegExp(cleaned) };
    });
}

/**
 * Whether `rel` (a /-separated path relative to the context) is left out: the last rule matching the
 * path or one of its parent directories decides (Docker's MatchesOrParentMatches).
 */
export function isIgnored(rules: IgnoreRule[], rel: string): boolean {
  const parts = rel.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) if (candidates.some((c) => rule.re.test(c))) ignored = !rule.exclusion;
  return ignored;
}

/** Every regular file and symlink of the build context (relative, /-separated); symlinks are not followed. */
export function contextFiles(root: string): string[] {
  const ignoreFile = path.join(root, '.dockerignore');
  const rules = fs.existsSync(ignoreFile) ? parseDockerignore(fs.readFileSync(ignoreFile, 'utf8')) : [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (!isIgnored(rules, child)) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/**
 * Applies one context `COPY sources... dest` (no --from) into `stageRoot` (the stage's WORKDIR):
 * a file source copies to `dest` (a folder when it ends in `/` or there are several sources), a folder
 * copies its context files below `dest`, a wildcard source copies what it matches (nothing is fine).
 * @returns the files written, relative to `stageRoot`
 */
export function copyFromContext(
  root: string,
  files: string[],
  stageRoot: string,
  sources: string[],
  dest: string,
): string[] {
  const written: string[] = [];
  const destIsDir = dest.endsWith('/') || sources.length > 1 || sources.some((s) => /[*?[]/.test(s));
  for (const source of sources) {
    const src = path.posix.normalize(source).replace(/\/+$/, '');
    let matched: { file: string; to: string }[];
    if (/[*?[]/.test(src)) {
      const re = patternToRegExp(src);
      matched = files
        .filter((f) => re.test(f))
        .map((f) => ({ file: f, to: path.posix.join(dest, path.posix.basename(f)) }));
    } else if (files.includes(src)) {
      matched = [{ file: src, to: destIsDir ? path.posix.join(dest, path.posix.basename(src)) : dest }];
    } else {
      matched = files
        .filter((f) => f.startsWith(`${src}/`))
        .map((f) => ({ file: f, to: path.posix.join(dest, f.slice(src.length + 1)) }));
      if (matched.length === 0) throw new Error(`COPY ${source}: not in the build context`);
    }
    for (const { file, to } of matched) {
      const target = path.join(stageRoot, to);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const st = fs.lstatSync(path.join(root, file));
      if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(path.join(root, file)), target);
      else fs.copyFileSync(path.join(root, file), target);
      written.push(path.normalize(to));
    }
  }
  return written;
}
