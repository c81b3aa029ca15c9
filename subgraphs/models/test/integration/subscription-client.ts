import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * Subscribes over graphql-ws and collects every event until the server completes the stream.
 * `onEvent` may act on the stream (e.g. cancel the job) and sees all events so far.
 */
export async function collectSubscription(
  graphqlUrl: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  onEvent?: (event: any, all: any[]) => void | Promise<void>,
): Promise<any[]> {
  const client = createClient({
    url: graphqlUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const events: any[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query, variables },
        {
          next: (value) => {
            if (value.errors) return reject(new Error(JSON.stringify(value.errors)));
            events.push(value.data);
            void Promise.resolve(onEvent?.(value.data, events)).catch(reject);
          },
          error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
          complete: () => resolve(),
        },
      );
    });
  } finally {
    await client.dispose();
  }
  return events;
}
