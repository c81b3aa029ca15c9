import fs from 'node:fs';
import type { Logger } from '../../lib/src/core';

/**
 * Watches a supergraph file (polling: works on every filesystem, including ConfigMap volumes whose
 * files are swapped through symlinks) and hands each new, non-empty version to `apply`. A version
 * that `apply` refuses (invalid supergraph) is logged and the old one keeps serving.
 * @returns a function that stops watching
 */
export function watchSupergraphFile(
  file: string,
  apply: (sdl: string) => void,
  opts: { intervalMs?: number; logger: Logger },
): () => void {
  let last = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const check = () => {
    let sdl: string;
    try {
      sdl = fs.readFileSync(file, 'utf8');
    } catch {
      return;
    }
    if (!sdl.trim() || sdl === last) return;
    last = sdl;
    try {
      apply(sdl);
    } catch (err) {
      opts.logger.error({ err: (err as Error).message }, 'new supergraph refused; still serving the previous one');
    }
  };
  fs.watchFile(file, { interval: opts.intervalMs ?? 1000 }, check);
  return () => fs.unwatchFile(file, check);
}
