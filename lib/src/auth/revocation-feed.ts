import Redis from 'ioredis';
import type { Logger } from '../logger';
import type { Revocation } from './revocations';
import {
  REVOCATIONS_HEARTBEAT_SECONDS,
  REVOCATIONS_PATH,
  REVOCATIONS_STREAM_PATH,
  RevocationList,
  parseRevocations,
} from './revocations';

/** Where a verifier learns revocations (the `revocations` part of a service's auth settings). */
export interface RevocationSettings {
  /** identity's base URL: the full list is at `REVOCATIONS_PATH`, the live stream at `REVOCATIONS_STREAM_PATH`. */
  identityUrl: string;
  /** With Redis, live revocations come over PUBLISH/SUBSCRIBE on `channel` instead of identity's stream. */
  redisUrl?: string;
  /** Redis channel of revocations (identity publishes there). */
  channel: string;
}

export interface RevocationFeed {
  list: RevocationList;
  /** True once the current list has been loaded (readiness). */
  loaded(): boolean;
  /** @returns when the list is loaded, or false after `timeoutMs` */
  whenLoaded(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

const MIN_RETRY_MS = 200;
const MAX_RETRY_MS = 5_000;
/** With Redis, the whole list is also reloaded this often. */
const RESYNC_MS = 60_000;

/**
 * Follows identity's revocations so a verifier refuses revoked sessions and keys within a second.
 *
 * - Without Redis: identity's server-sent-events stream, whose first event is the whole current
 *   list, then one event per revocation.
 * - With Redis: SUBSCRIBE to the channel identity publishes on; the whole list is (re)loaded from
 *   identity each time the subscription is (re)established, and every minute.
 *
 * When the feed is down, the last known list stays in force (entries only expire), a warning is
 * logged, and it retries with backoff from 200 ms to 5 s; every reconnect reloads the whole list,
 * so nothing revoked meanwhile is missed. A stream silent for three heartbeats counts as down.
 */
export function followRevocations(
  settings: RevocationSettings,
  logger: Logger,
  list = new RevocationList(),
): RevocationFeed {
  let closed = false;
  let isLoaded = false;
  const loadWaiters = new Set<() => void>();
  const markLoaded = () => {
    if (!isLoaded) logger.info({ revocations: list.size }, 'revocation list loaded');
    isLoaded = true;
    for (const w of loadWaiters) w();
    loadWaiters.clear();
  };
  const base = settings.identityUrl.replace(/\/$/, '');
  const aborter = new AbortController();
  const sleeps = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => (clearTimeout(timer), sleeps.delete(done), resolve());
      const timer = setTimeout(done, ms);
      timer.unref();
      sleeps.add(done);
    });

  let stop: () => Promise<void>;
  if (settings.redisUrl) {
    const sub = new Redis(settings.redisUrl, {
      maxRetriesPerRequest: null,
      retryStrategy: (n) => Math.min(MIN_RETRY_MS * 2 ** n, MAX_RETRY_MS),
    });
    let generation = 0;
    sub.on('message', (_channel: string, message: string) => {
      try {
        list.add(parseRevocations(JSON.parse(message)));
      } catch {
        logger.warn('ignored a malformed revocation message');
      }
    });
    sub.on('error', (err) => logger.warn({ err: err.message }, 'revocation channel: Redis error; retrying'));
    // On every (re)connection: subscribe first, then load the whole list, so nothing published in
    // between is lost (a revocation both heard and loaded is harmless).
    const resync = async () => {
      const gen = ++generation;
      try {
        await sub.subscribe(settings.channel);
      } catch (err) {
        if (!closed)
          logger.warn(
            { err: (err as Error).message },
            'revocation channel: could not subscribe; retrying on reconnect',
          );
        return;
      }
      await reload(gen);
    };
    sub.on('ready', () => void resync());
    // A safety net for a message lost between identity and Redis while this connection stayed up.
    const periodic = setInterval(() => void reload(generation), RESYNC_MS);
    periodic.unref();
    const reload = async (gen: number) => {
      for (let attempt = 0; !closed && gen === generation; attempt++) {
        try {
          list.add(await fetchList(base, aborter.signal));
          markLoaded();
          return;
        } catch (err) {
          if (closed) return;
          logger.warn({ err: (err as Error).message, attempt }, 'revocation list: identity unreachable; retrying');
          await sleep(Math.min(MIN_RETRY_MS * 2 ** attempt, MAX_RETRY_MS));
        }
      }
    };
    stop = async () => {
      clearInterval(periodic);
      await sub.quit().catch(() => sub.disconnect());
    };
  } else {
    const loop = (async () => {
      for (let failures = 0; !closed;) {
        try {
          await readStream(`${base}${REVOCATIONS_STREAM_PATH}`, aborter.signal, (event, data) => {
            const parsed = parseRevocations(JSON.parse(data));
            list.add(parsed);
            if (event === 'snapshot') {
              failures = 0;
              markLoaded();
            }
          });
          if (!closed) logger.warn('revocation stream ended; reconnecting');
        } catch (err) {
          if (closed) break;
          logger.warn({ err: (err as Error).message, failures }, 'revocation stream: identity unreachable; retrying');
        }
        if (!closed) await sleep(Math.min(MIN_RETRY_MS * 2 ** failures++, MAX_RETRY_MS));
      }
    })();
    stop = () => loop;
  }

  return {
    list,
    loaded: () => isLoaded,
    whenLoaded(timeoutMs) {
      if (isLoaded || closed) return Promise.resolve(isLoaded);
      return new Promise<boolean>((resolve) => {
        const done = () => (clearTimeout(timer), resolve(isLoaded));
        // Not unref'd: a service awaits this while it boots, when nothing else may hold the event loop
        // yet (the retries sleep on unref'd timers), and Node would exit with 0 in the middle of it.
        const timer = setTimeout(() => (loadWaiters.delete(done), resolve(false)), timeoutMs);
        loadWaiters.add(done);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const w of loadWaiters) w();
      loadWaiters.clear();
      aborter.abort();
      for (const wake of [...sleeps]) wake();
      await stop();
    },
  };
}

async function fetchList(base: string, signal: AbortSignal): Promise<Revocation[]> {
  const res = await fetch(`${base}${REVOCATIONS_PATH}`, {
    signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]),
  });
  if (!res.ok) throw new Error(`GET ${REVOCATIONS_PATH} answered ${res.status}`);
  return parseRevocations(((await res.json()) as { revocations?: unknown }).revocations ?? []);
}

/** Reads a server-sent-events stream until it ends; throws when it cannot connect or goes silent. */
async function readStream(
  url: string,
  signal: AbortSignal,
  onEvent: (event: string, data: string) => void,
): Promise<void> {
  // One controller for both the connect timeout and the silence watchdog: a fetch signal also
  // governs reading the body, so a plain AbortSignal.timeout would cut a healthy stream.
  const silence = new AbortController();
  let watchdog: NodeJS.Timeout | undefined;
  const arm = (ms: number, why: string) => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => silence.abort(new Error(why)), ms);
    watchdog.unref();
  };
  arm(5_000, 'revocation stream: no answer');
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'text/event-stream' },
      signal: AbortSignal.any([signal, silence.signal]),
    });
  } catch (err) {
    clearTimeout(watchdog);
    throw err;
  }
  if (!res.ok || !res.body) {
    clearTimeout(watchdog);
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`GET ${REVOCATIONS_STREAM_PATH} answered ${res.status}`);
  }
  const heard = () => arm(REVOCATIONS_HEARTBEAT_SECONDS * 3_000, 'revocation stream went silent');
  heard();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      heard();
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length) onEvent(event, data.join('\n'));
      }
    }
  } finally {
    clearTimeout(watchdog);
  }
}
