/**
 * A fake upstream's push socket (Plex's `/:/websockets/notifications`, Jellyfin's `/socket`): a
 * WebSocket endpoint on the fake's own HTTP server that checks the credential the way the real
 * server does and lets the fake send frames to every connected client. `mode` switches it:
 * `ok`, or `refuse` (the upgrade answered 503, as a server with its socket off; the HTTP API
 * still answers, so only the push path fails).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export type PushMode = 'ok' | 'refuse';

export interface PushEndpoint {
  mode: PushMode;
  /** Clients connected now. */
  readonly clients: number;
  /** Upgrades refused since start (mode `refuse` or a wrong credential). */
  readonly refused: number;
  /** Sends `frame` (JSON) to every connected client that `which` accepts. */
  broadcast(frame: unknown, which?: (client: WebSocket) => boolean): void;
  /** Drops every connected client (a server restart, for reconnection tests). */
  dropAll(): void;
  /** The HTTP server's `upgrade` handler: true when the request was for this endpoint. */
  readonly upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
  close(): void;
}

export interface PushEndpointOptions {
  readonly path: string;
  readonly authorized: (request: IncomingMessage, url: URL) => boolean;
  /** Each new client (greeting frames) and its frames. */
  readonly onConnection?: (client: WebSocket) => void;
  readonly onMessage?: (client: WebSocket, text: string) => void;
  /** False while the whole fake is `down` (the connection is cut). */
  readonly reachable?: () => boolean;
}

export function createPushEndpoint(options: PushEndpointOptions): PushEndpoint {
  const wss = new WebSocketServer({ noServer: true });
  let refused = 0;
  const refuse = (socket: Duplex, status: number, text: string) => {
    refused += 1;
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  const endpoint: PushEndpoint = {
    mode: 'ok',
    get clients() {
      return wss.clients.size;
    },
    get refused() {
      return refused;
    },
    broadcast(frame, which) {
      const text = JSON.stringify(frame);
      for (const client of wss.clients) {
        if (client.readyState === client.OPEN && (which?.(client) ?? true)) client.send(text);
      }
    },
    dropAll() {
      for (const client of wss.clients) client.terminate();
    },
    upgrade(request, socket, head) {
      const url = new URL(request.url ?? '/', 'http://fake');
      if (url.pathname !== options.path) return false;
      if (options.reachable?.() === false) {
        socket.destroy();
        return true;
      }
      if (endpoint.mode === 'refuse') {
        refuse(socket, 503, 'Service Unavailable');
        return true;
      }
      if (!options.authorized(request, url)) {
        refuse(socket, 401, 'Unauthorized');
        return true;
      }
      wss.handleUpgrade(request, socket, head, (client) => {
        client.on('message', (data: Buffer, isBinary: boolean) => {
          if (!isBinary) options.onMessage?.(client, data.toString('utf8'));
        });
        options.onConnection?.(client);
        wss.emit('connection', client, request);
      });
      return true;
    },
    close() {
      endpoint.dropAll();
      wss.close();
    },
  };
  return endpoint;
}
