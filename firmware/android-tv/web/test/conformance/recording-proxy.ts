/**
 * A recording proxy between a device under test and the Marquee server (127.0.0.1, port 0): every
 * HTTP request's method, path and status, and every WebSocket upgrade, are logged in order, so
 * the conformance spec checks what went over the wire the same way for any device. `down()` cuts
 * every open connection and refuses new ones (the network is gone) until `up()`.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface ProxyEntry {
  /** `HTTP` request, or `WS` for an upgrade (its status is the server's, 101 when accepted). */
  readonly kind: 'HTTP' | 'WS';
  readonly method: string;
  /** Without the query. */
  readonly path: string;
  readonly query: string;
  readonly status: number;
  readonly at: number;
}

export class RecordingProxy {
  readonly log: ProxyEntry[] = [];
  readonly #server: Server;
  readonly #target: URL;
  readonly #sockets = new Set<Socket>();
  #down = false;

  private constructor(server: Server, target: URL) {
    this.#server = server;
    this.#target = target;
  }

  /** A proxy for `target` (`http://127.0.0.1:<port>`), listening on a port of its own. */
  static async start(target: string): Promise<RecordingProxy> {
    const server = createServer();
    const proxy = new RecordingProxy(server, new URL(target));
    server.on('connection', (socket) => proxy.#track(socket));
    server.on('request', (req, res) => {
      const upstream = request(
        {
          host: proxy.#target.hostname,
          port: proxy.#target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: false,
        },
        (answer) => {
          proxy.#record('HTTP', req, answer.statusCode ?? 0);
          res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
          answer.pipe(res);
        },
      );
      upstream.on('socket', (socket) => proxy.#track(socket));
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
      const upstream = connect(Number(proxy.#target.port), proxy.#target.hostname);
      proxy.#track(upstream);
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        lines.push(`${req.rawHeaders[i] ?? ''}: ${req.rawHeaders[i + 1] ?? ''}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.once('data', (first: Buffer) => {
        const status = /^HTTP\/1\.1 (\d{3})/.exec(first.toString('latin1'));
        proxy.#record('WS', req, Number(status?.[1] ?? 0));
      });
      upstream.pipe(client);
      client.pipe(upstream);
      const close = () => {
        upstream.destroy();
        client.destroy();
      };
      upstream.on('error', close).on('close', close);
      client.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** The entries for `path` (and `kind`), oldest first. */
  entries(path: string, kind: ProxyEntry['kind'] = 'HTTP'): ProxyEntry[] {
    return this.log.filter((entry) => entry.path === path && entry.kind === kind);
  }

  /** The network is gone: open connections are cut, new ones closed at once. */
  down(): void {
    this.#down = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  up(): void {
    this.#down = false;
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Socket): void {
    if (this.#down) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }

  #record(kind: ProxyEntry['kind'], req: IncomingMessage, status: number): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    this.log.push({
      kind,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      status,
      at: Date.now(),
    });
  }
}
