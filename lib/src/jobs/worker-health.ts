import { createHttpShell } from '../core/http-shell';
import type { ServiceMetrics } from '../metrics';
import type { JobQueue, JobQueueHealth } from './job-queue';

/**
 * How long the polling loop may go without starting a search (liveness) or without one that
 * finished (readiness): ten polls, and never less than 30 s, so a slow database or a long GC pause
 * does not get a healthy worker restarted.
 */
export function workerHealthWindowMs(health: Pick<JobQueueHealth, 'pollMs'>): number {
  return Math.max(30_000, 10 * health.pollMs);
}

/**
 * Live while the queue's polling loop keeps starting or finishing searches for work (a search that never returns,
 * a blocked loop: not live, so Kubernetes restarts the pod and another replica takes its jobs over).
 * Closing counts as live: the process is handing its jobs back.
 */
export function workerLive(health: JobQueueHealth, now: number): boolean {
  const progress = Math.max(health.lastPollStartedAt, health.lastPollOkAt ?? 0);
  return health.closed || now - progress <= workerHealthWindowMs(health);
}

/** Ready while it takes work and a search for it recently finished (its database answers). */
export function workerReady(health: JobQueueHealth, now: number): boolean {
  return !health.closed && health.lastPollOkAt !== null && now - health.lastPollOkAt <= workerHealthWindowMs(health);
}

/**
 * A job worker's small HTTP side: `/health/live`, `/health/ready` and Prometheus `/metrics` (the
 * service's registry: job and process metrics), nothing else. A worker serves no GraphQL.
 * @returns the URL it listens on and its stop
 */
export async function serveWorkerHealth(
  queue: JobQueue,
  opts: { name: string; metrics: ServiceMetrics; port: number; host?: string; clock?: () => number },
): Promise<{ url: string; stop: () => Promise<void> }> {
  const clock = opts.clock ?? Date.now;
  const shell = createHttpShell({
    name: opts.name,
    metrics: opts.metrics,
    liveness: () => workerLive(queue.health(), clock()),
    readiness: () => workerReady(queue.health(), clock()),
  });
  shell.mountHealthAndMetrics();
  const url = await shell.listen(opts.port, opts.host);
  return {
    url,
    stop: () =>
      shell.stop(
        () =>
          new Promise<void>((resolve) => {
            shell.httpServer.close(() => resolve());
            shell.httpServer.closeIdleConnections?.();
          }),
      ),
  };
}
