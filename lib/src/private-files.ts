import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Folders the services create hold data and secrets: only their user may enter them. */
export const PRIVATE_DIR_MODE = 0o700;
/** Files the services create: only their user may read or write them. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) as 0700 whatever the umask, and tightens an existing one to
 * 0700. A folder owned by another user (a volume's mount point) cannot be changed and is left as is.
 * @returns false when the folder exists but could not be tightened
 */
export function ensurePrivateDir(dir: string): boolean {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  return chmodIfLooser(dir, PRIVATE_DIR_MODE);
}

/**
 * Tightens a file to 0600 when it exists (files made before this rule, or by a library that
 * ignores it).
 * @returns whether the file exists
 */
export function tightenFile(file: string): boolean {
  try {
    chmodIfLooser(file, PRIVATE_FILE_MODE);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Makes sure `file` exists as 0600 before a library opens it (SQLite creates its journal and WAL
 * files with the database file's mode, so they follow), and tightens an existing one.
 */
export function ensurePrivateFile(file: string): void {
  ensurePrivateDir(path.dirname(file));
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  chmodIfLooser(file, PRIVATE_FILE_MODE);
}

/**
 * A local secret kept with the data (never committed): 32 random bytes, base64url, generated once
 * into `<dir>/<name>.secret`. The folder is 0700 and the file 0600, also when made before this rule.
 * @returns the secret
 */
export function ensureLocalSecret(dir: string, name: string): string {
  ensurePrivateDir(dir);
  const file = path.join(dir, `${name}.secret`);
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  tightenFile(file);
  return fs.readFileSync(file, 'utf8').trim();
}

function chmodIfLooser(target: string, mode: number): boolean {
  const current = fs.statSync(target).mode & 0o777;
  if ((current & ~mode) === 0) return true;
  try {
    fs.chmodSync(target, current & mode);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') return false;
    throw err;
  }
}
