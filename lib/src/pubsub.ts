import { EventEmitter } from 'node:events';
import type { PubSub as TypeGraphQLPubSub } from 'type-graphql';
import Redis from 'ioredis';

/** A pub/sub that type-graphql's `@Subscription({ topics })` uses and that services publish to. */
export interface PubSub extends TypeGraphQLPubSub {
  /** `publish(topic, payload)`, or `publish(topic, dynamicId, payload)` for per-id topics. */
  publish(topic: string, ...args: unknown[]): void;
  subscribe(topic: string, dynamicId?: unknown): AsyncIterable<unknown>;
  close(): Promise<void>;
}

export interface PubSubOptions {
  /** When set, events go through Redis so any replica can serve any subscriber. */
  redisUrl?: string;
  /** Channel prefix (service name, or a test's random prefix). */
  prefix: string;
}

/**
 * In-memory pub/sub by default, Redis (PUBLISH/SUBSCRIBE) when `redisUrl` is set.
 * @returns a PubSub whose iterators unsubscribe when the consumer returns
 */
export function createPubSub(options: PubSubOptions): PubSub {
  return options.redisUrl ? createRedisPubSub(options.redisUrl, options.prefix) : createMemoryPubSub();
}

const channelOf = (topic: string, dynamicId?: unknown) =>
  dynamicId === undefined ? topic : `${topic}:${String(dynamicId)}`;

const publishArgs = (topic: string, args: unknown[]): [string, unknown] =>
  args.length >= 2 ? [channelOf(topic, args[0]), args[1]] : [topic, args[0]];

function iterate(listen: (push: (v: unknown) => void) => () => void): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator]() {
      const queue: unknown[] = [];
      const waiting: ((r: IteratorResult<unknown>) => void)[] = [];
      let done = false;
      const unlisten = listen((v) => {
        const w = waiting.shift();
        if (w) w({ value: v, done: false });
        else queue.push(v);
      });
      const finish = (): Promise<IteratorResult<unknown>> => {
        if (!done) {
          done = true;
          unlisten();
          for (const w of waiting.splice(0)) w({ value: undefined, done: true });
        }
        return Promise.resolve({ value: undefined, done: true });
      };
      return {
        next: () => {
          if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
          if (done) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => waiting.push(resolve));
        },
        return: finish,
        throw: async (e: unknown) => {
          await finish();
          throw e;
        },
      };
    },
  };
}

function createMemoryPubSub(): PubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish(topic, ...args) {
      const [ch, payload] = publishArgs(topic, args);
      emitter.emit(ch, payload);
    },
    subscribe(topic, dynamicId) {
      const ch = channelOf(topic, dynamicId);
      return iterate((push) => {
        emitter.on(ch, push);
        return () => emitter.off(ch, push);
      });
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

function createRedisPubSub(url: string, prefix: string): PubSub {
  const pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const sub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const counts = new Map<string, number>();
  sub.on('message', (channel: string, message: string) => {
    try {
      local.emit(channel, JSON.parse(message));
    } catch {
      // A message that is not our JSON is not for us.
    }
  });
  return {
    publish(topic, ...args) {
      const [ch, payload] = publishArgs(topic, args);
      void pub.publish(`${prefix}:${ch}`, JSON.stringify(payload));
    },
    subscribe(topic, dynamicId) {
      const ch = `${prefix}:${channelOf(topic, dynamicId)}`;
      return iterate((push) => {
        local.on(ch, push);
        const n = (counts.get(ch) ?? 0) + 1;
        counts.set(ch, n);
        if (n === 1) void sub.subscribe(ch);
        return () => {
          local.off(ch, push);
          const left = (counts.get(ch) ?? 1) - 1;
          counts.set(ch, left);
          if (left === 0) {
            counts.delete(ch);
            void sub.unsubscribe(ch);
          }
        };
      });
    },
    async close() {
      local.removeAllListeners();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
