/**
 * An async iterable that yields `produce()` now and then every `intervalMs` until the consumer
 * returns (graphql-ws calls `return` when a client unsubscribes), clearing its timer then.
 */
export function intervalIterable<T>(intervalMs: number, produce: () => T | Promise<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      let first = true;
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      let wake: (() => void) | undefined;
      return {
        async next(): Promise<IteratorResult<T>> {
          if (!first && !done) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              timer = setTimeout(resolve, intervalMs);
            });
          }
          first = false;
          if (done) return { value: undefined, done: true };
          return { value: await produce(), done: false };
        },
        async return(): Promise<IteratorResult<T>> {
          done = true;
          clearTimeout(timer);
          wake?.();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
