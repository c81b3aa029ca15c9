// WebSocket clients for attacking graphql-ws endpoints: a protocol-level client on `ws` that records
// every message and the close code, and a raw TCP client that writes frames byte by byte (frame
// headers that announce more than is ever sent, fragments, half frames).
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import { waitFor } from '../../lib/src/testing/wait-for';

export { waitFor };

export interface Closed {
  code: number;
  reason: string;
}

/** A graphql-transport-ws client that speaks the protocol message by message. */
export class GraphQLWsProbe {
  readonly messages: any[] = [];
  closed?: Closed;
  readonly socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => this.messages.push(JSON.parse(String(data))));
    socket.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
    socket.on('error', () => undefined);
  }

  /** Opens a connection (nothing sent yet). */
  static async open(
    url: string,
    options: { headers?: Record<string, string>; protocol?: string } = {},
  ): Promise<GraphQLWsProbe> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), options.protocol ?? 'graphql-transport-ws', {
      headers: options.headers,
    });
    const probe = new GraphQLWsProbe(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })),
      );
      socket.once('error', reject);
    });
    return probe;
  }

  /** Opens, sends `connection_init` and waits for `connection_ack`. */
  static async connect(
    url: string,
    token?: string,
    options: { headers?: Record<string, string> } = {},
  ): Promise<GraphQLWsProbe> {
    const probe = await GraphQLWsProbe.open(url, options);
    probe.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
    await probe.waitFor((m) => m.type === 'connection_ack', 'connection_ack');
    return probe;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  subscribe(id: string, query: string, variables?: Record<string, unknown>, operationName?: string): void {
    this.send({
      id,
      type: 'subscribe',
      payload: { query, ...(variables ? { variables } : {}), ...(operationName ? { operationName } : {}) },
    });
  }

  complete(id: string): void {
    this.send({ id, type: 'complete' });
  }

  /** @returns the first message (in arrival order) matching `match`; fails if the socket closes first */
  async waitFor(match: (m: any) => boolean, what: string): Promise<any> {
    return waitFor(() => {
      const hit = this.messages.find(match);
      if (hit) return hit;
      if (this.closed)
        throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${what}`);
      return undefined;
    }, what);
  }

  /** The `error` message, or the `next` message carrying errors, that answers operation `id`. */
  async errorsOf(id: string): Promise<{ type: string; errors: any[] }> {
    const m = await this.waitFor(
      (x) => x.id === id && (x.type === 'error' || (x.type === 'next' && x.payload?.errors)),
      `errors of ${id}`,
    );
    return { type: m.type, errors: m.type === 'error' ? m.payload : m.payload.errors };
  }

  async waitClosed(): Promise<Closed> {
    return waitFor(() => this.closed, 'the socket to close');
  }

  close(): void {
    this.socket.close();
  }
}

/** The answer to a raw upgrade request, and the socket when it was switched. */
export interface RawUpgrade {
  status: number;
  head: string;
  body: string;
  socket: net.Socket;
  /** Bytes after the 101 answer (server frames). */
  received: Buffer[];
  ended: Promise<void>;
}

/** Sends a WebSocket upgrade request over a plain TCP socket. */
export function rawUpgrade(
  url: string,
  options: { headers?: Record<string, string>; protocol?: string } = {},
): Promise<RawUpgrade> {
  const { hostname, port, pathname } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const extra = Object.entries(options.headers ?? {})
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${options.protocol ?? 'graphql-transport-ws'}\r\n${extra}\r\n`,
  );
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const received: Buffer[] = [];
    const ended = new Promise<void>((r) => socket.once('close', () => r()));
    let answer: RawUpgrade | undefined;
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      if (answer) {
        received.push(chunk);
        return;
      }
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString();
      const status = Number(head.split(' ')[1]);
      const rest = buffer.subarray(end + 4);
      answer = { status, head, body: status === 101 ? '' : rest.toString(), socket, received, ended };
      if (status === 101) {
        if (rest.length) received.push(rest);
        resolve(answer);
      } else {
        // The refusal's body may come in later chunks; it is complete when the server closes.
        socket.on('data', (c) => (answer!.body += c.toString()));
        void ended.then(() => resolve(answer!));
      }
    });
    socket.once('close', () => {
      if (!answer) reject(new Error('connection closed before an upgrade answer'));
    });
  });
}

/**
 * A masked client frame. `declaredLength` may exceed the bytes given: the header announces it and
 * only `payload` follows (the rest is never sent).
 */
export function clientFrame(
  opcode: number,
  payload: Buffer,
  options: { fin?: boolean; declaredLength?: number } = {},
): Buffer {
  const length = options.declaredLength ?? payload.length;
  const mask = randomBytes(4);
  let header: Buffer;
  if (length < 126) header = Buffer.from([0, 0x80 | length]);
  else if (length < 65536) {
    header = Buffer.alloc(4);
    header.writeUInt16BE(length, 2);
    header[1] = 0x80 | 126;
  } else {
    header = Buffer.alloc(10);
    header.writeBigUInt64BE(BigInt(length), 2);
    header[1] = 0x80 | 127;
  }
  header[0] = (options.fin === false ? 0 : 0x80) | opcode;
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= mask[i % 4]!;
  return Buffer.concat([header, mask, masked]);
}

/** The server's frames so far (unmasked, as servers send them). */
export function serverFrames(received: Buffer[]): { opcode: number; payload: Buffer }[] {
  const data = Buffer.concat(received);
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + 2 <= data.length) {
    let length = data[at + 1]! & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      if (offset + 2 > data.length) break;
      length = data.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      if (offset + 8 > data.length) break;
      length = Number(data.readBigUInt64BE(offset));
      offset += 8;
    }
    if (offset + length > data.length) break;
    frames.push({ opcode: data[at]! & 0x0f, payload: data.subarray(offset, offset + length) });
    at = offset + length;
  }
  return frames;
}

/** @returns the close code of the server's close frame, once it has arrived */
export async function serverCloseCode(upgrade: RawUpgrade): Promise<number> {
  return waitFor(() => {
    const close = serverFrames(upgrade.received).find((f) => f.opcode === 0x8);
    return close ? close.payload.readUInt16BE(0) : undefined;
  }, 'a close frame from the server');
}

/** Sends `connection_init` over a raw upgraded socket and waits for `connection_ack`. */
export async function rawConnectionInit(upgrade: RawUpgrade, token?: string): Promise<void> {
  upgrade.socket.write(
    clientFrame(
      0x1,
      Buffer.from(
        JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }),
      ),
    ),
  );
  await waitFor(
    () =>
      serverFrames(upgrade.received).some(
        (f) => f.opcode === 0x1 && JSON.parse(f.payload.toString()).type === 'connection_ack',
      ),
    'connection_ack',
  );
}
