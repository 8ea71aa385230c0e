/**
 * The fleet and storm baseline: what a device server is at its plainest. A `node:http` server
 * and a `ws` WebSocketServer holding one socket per device (`/ws/cloud/tb_device/?sn_number=`,
 * the same URL Marquee's devices use, token unchecked), with the heartbeat from the `ws` README
 * (one ping per interval, terminate a socket that missed the previous one), and
 * `POST /api/v1/admin/cloud/devices/{sn}/commands/` writing the command, with a fresh
 * `command_id`, to that device's socket and answering 202 as Marquee does. No auth, no store,
 * no queue: a command for a device that is not connected is answered 404 and dropped.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const DEVICE_PATH = '/ws/cloud/tb_device/';
const COMMAND_PATH = /^\/api\/v1\/admin\/cloud\/devices\/([^/]+)\/commands\/$/;

export interface PlainServer {
  readonly url: string;
  connectionCount(): number;
}

export async function startPlainServer(port: number, pingIntervalMs: number): Promise<PlainServer> {
  const devices = new Map<string, WebSocket>();
  const alive = new WeakSet<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  const http = createServer((req, res) => {
    handle(req, res).catch(() => answer(res, 500, { detail: 'internal error' }));
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const match = COMMAND_PATH.exec(req.url ?? '');
    if (req.method !== 'POST' || match === null) return answer(res, 404, { detail: 'Not found' });
    const sn = decodeURIComponent(match[1] ?? '');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { command: object };
    const socket = devices.get(sn);
    if (socket === undefined) return answer(res, 404, { detail: `Device ${sn} not connected` });
    const commandId = randomUUID();
    socket.send(JSON.stringify({ ...body.command, command_id: commandId }));
    answer(res, 202, { commands: [{ command_id: commandId, sn_number: sn, state: 'sent' }] });
  };

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const sn = url.searchParams.get('sn_number');
    if (url.pathname !== DEVICE_PATH || sn === null) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      devices.get(sn)?.terminate();
      devices.set(sn, ws);
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
      ws.on('message', (data: Buffer) => {
        alive.add(ws);
        JSON.parse(data.toString('utf8')); // acks: read and dropped
      });
      ws.on('close', () => {
        if (devices.get(sn) === ws) devices.delete(sn);
      });
    });
  });

  const heartbeat = setInterval(() => {
    for (const ws of devices.values()) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, pingIntervalMs);
  heartbeat.unref();

  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    connectionCount: () => devices.size,
  };
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
