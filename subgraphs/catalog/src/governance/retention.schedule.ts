import type { MikroORM } from '@mikro-orm/core';
import type { ArtifactStore, Logger } from '../../../../lib/src/index';
import { applyRetention } from './retention.service';

/**
 * Applies retention policies every `intervalSeconds` (0 disables). Runs never overlap: the next one is
 * scheduled when the previous one ends.
 * @returns a handle whose `stop()` cancels the schedule
 */
export function startRetentionSchedule(opts: { orm: MikroORM; store: ArtifactStore; logger: Logger; intervalSeconds: number }): { stop(): void } {
  if (opts.intervalSeconds <= 0) return { stop() {} };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async (): Promise<void> => {
    try {
      const outcomes = await applyRetention(opts.orm.em.fork(), opts.store, new Date());
      if (outcomes.length) opts.logger.info({ outcomes }, 'retention applied');
    } catch (err) {
      opts.logger.error({ err }, 'retention run failed');
    }
    if (!stopped) timer = setTimeout(() => void tick(), opts.intervalSeconds * 1000).unref();
  };
  timer = setTimeout(() => void tick(), opts.intervalSeconds * 1000).unref();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
