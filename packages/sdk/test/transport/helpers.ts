/**
 * Real in-process servers for the transport tests: a `ws` server on port 0 that records what it
 * sees, and a way to close every server and client a test created. Sockets are killed from the
 * server side (`terminate()`), the way a crashed server or a dropped network looks to a client.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import type { MarqueeError } from '../../src/errors';
import { createSocket, type ReconnectingSocket } from '../../src/transport/reconnecting-socket';
import type {
  CloseInfo,
  DroppedMessage,
  InvalidMessage,
  ReconnectInfo,
  SocketOptions,
  SocketState,
} from '../../src/transport/socket-types';

export interface TestServer {
  readonly wss: WebSocketServer;
  /** `ws://127.0.0.1:<port>` */
  readonly url: string;
  /** Server-side sockets in connection order. */
  readonly connections: WebSocket[];
  /** Request URLs (path + query) in connection order. */
  readonly urls: string[];
  /** Text frames received, across all connections. */
  readonly received: string[];
  /** The most recent server-side socket. */
  last(): WebSocket;
  /** Kills every open server-side socket without a close frame. */
  killAll(): void;
}

const cleanups: Array<() => Promise<void> | void> = [];

/** Registers something to dispose of after the current test (clients, servers). */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

afterEach(async () => {
  // Clients first, so their closes do not count as server-side events of the next test.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function startServer(
  onConnection?: (socket: WebSocket, server: TestServer) => void,
  options: Omit<ServerOptions, 'port' | 'host' | 'server' | 'noServer'> = {},
): Promise<TestServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  await once(wss, 'listening');
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  const server: TestServer = {
    wss,
    url: `ws://127.0.0.1:${address.port}`,
    connections: [],
    urls: [],
    received: [],
    last() {
      const socket = server.connections.at(-1);
      if (!socket) throw new Error('no connection yet');
      return socket;
    },
    killAll() {
      for (const socket of wss.clients) socket.terminate();
    },
  };
  wss.on('connection', (socket, request) => {
    server.connections.push(socket);
    server.urls.push(request.url ?? '');
    socket.on('message', (data, isBinary) => {
      if (!isBinary) server.received.push(rawText(data));
    });
    onConnection?.(socket, server);
  });
  onCleanup(async () => {
    server.killAll();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  return server;
}

/**
 * A TCP server that accepts connections and never answers, so a WebSocket handshake against it
 * hangs until the client gives up. Returns its URL and the sockets it holds.
 */
export async function startBlackhole(): Promise<{
  url: string;
  sockets: Socket[];
  closed: () => number;
}> {
  const sockets: Socket[] = [];
  let closed = 0;
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    // Read and discard the upgrade request: a paused socket would never notice the client's FIN.
    socket.resume();
    socket.on('close', () => closed++);
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  onCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `ws://127.0.0.1:${address.port}`, sockets, closed: () => closed };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Generous bounds for vi.waitFor: a loaded 2-core CI box is slow, never wrong. */
export const WAIT = { timeout: 10_000, interval: 5 } as const;

/** A `ws` server-side message payload as text. */
export function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

/** Tiny delays so reconnect tests take milliseconds. */
export const FAST_BACKOFF = { initialMs: 5, maxMs: 20 } as const;

/**
 * Creates and connects a socket with test-friendly defaults (tiny backoff, no heartbeat, no
 * network watching); it is closed after the test.
 */
export function openSocket<In, Out = unknown>(
  options: SocketOptions<In, Out>,
  { connect = true }: { connect?: boolean } = {},
): ReconnectingSocket<In, Out> {
  const socket = createSocket<In, Out>({
    backoff: FAST_BACKOFF,
    heartbeat: false,
    network: false,
    ...options,
  });
  onCleanup(() => socket.close());
  if (connect) socket.connect();
  return socket;
}

/** Every event a socket emits, in order, for assertions. */
export function recordEvents<In, Out>(socket: ReconnectingSocket<In, Out>) {
  const log = {
    states: [] as SocketState[],
    closes: [] as CloseInfo[],
    reconnecting: [] as ReconnectInfo[],
    messages: [] as In[],
    invalid: [] as InvalidMessage[],
    errors: [] as MarqueeError[],
    dropped: [] as DroppedMessage<Out>[],
    opens: 0,
  };
  socket.on('state', ({ state }) => log.states.push(state));
  socket.on('close', (info) => log.closes.push(info));
  socket.on('reconnecting', (info) => log.reconnecting.push(info));
  socket.on('message', (message) => log.messages.push(message));
  socket.on('invalid-message', (invalid) => log.invalid.push(invalid));
  socket.on('error', (error) => log.errors.push(error));
  socket.on('dropped', (dropped) => log.dropped.push(dropped));
  socket.on('open', () => log.opens++);
  return log;
}
