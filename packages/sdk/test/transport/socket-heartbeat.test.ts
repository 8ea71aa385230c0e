import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ClientCloseCodes } from '../../src/transport/close-codes';
import type { WebSocketConstructor } from '../../src/transport/websocket-like';
import { WAIT, openSocket, rawText, recordEvents, sleep, startServer } from './helpers';

const anything = z.unknown();

/** Node's built-in WHATWG WebSocket: no ping API, exactly like a browser's. */
const BrowserWebSocket: WebSocketConstructor = globalThis.WebSocket;

describe('heartbeat with protocol ping (ws in Node)', () => {
  it('detects a server that stopped answering pings and reconnects', async () => {
    const intervalMs = 40;
    const server = await startServer(undefined, { autoPong: false });
    const socket = openSocket({ url: server.url, incoming: anything, heartbeat: { intervalMs } });
    const log = recordEvents(socket);
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);
    const openedAt = Date.now();

    await vi.waitFor(() => expect(log.closes).toHaveLength(1), WAIT);
    // Never before one ping went unanswered; the window is intervalMs + timeoutMs.
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(intervalMs);
    expect(log.closes[0]).toEqual({
      code: ClientCloseCodes.HEARTBEAT_TIMEOUT,
      reason: 'heartbeat timeout',
      wasClean: false,
    });
    expect(log.errors.map((e) => e.code)).toContain('TIMEOUT');
    await vi.waitFor(() => expect(server.connections.length).toBeGreaterThanOrEqual(2), WAIT);
  });

  it('keeps a quiet connection whose server answers pings', async () => {
    const server = await startServer();
    const socket = openSocket({
      url: server.url,
      incoming: anything,
      heartbeat: { intervalMs: 100 },
    });
    const log = recordEvents(socket);
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);

    await sleep(600); // 6 intervals without a single message
    expect(log.closes).toEqual([]);
    expect(server.connections).toHaveLength(1);
  });

  it("counts the server's own pings as liveness", async () => {
    // The server never answers our pings but pings us often: the peer is alive.
    const server = await startServer(
      (ws) => {
        const timer = setInterval(() => ws.ping(), 20);
        ws.on('close', () => clearInterval(timer));
      },
      { autoPong: false },
    );
    const socket = openSocket({
      url: server.url,
      incoming: anything,
      heartbeat: { intervalMs: 100 },
    });
    const log = recordEvents(socket);
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);

    await sleep(600);
    expect(log.closes).toEqual([]);
    expect(server.connections).toHaveLength(1);
  });
});

describe('heartbeat without a ping API (browser-like WebSocket)', () => {
  it('has no ping API to use', () => {
    expect('ping' in BrowserWebSocket.prototype).toBe(false);
  });

  it('detects a silent server by the absence of messages and reconnects', async () => {
    const server = await startServer();
    const socket = openSocket({
      url: server.url,
      incoming: anything,
      WebSocket: BrowserWebSocket,
      heartbeat: { intervalMs: 40 },
    });
    const log = recordEvents(socket);

    await vi.waitFor(() => expect(log.closes.length).toBeGreaterThanOrEqual(1), WAIT);
    expect(log.closes[0]?.code).toBe(ClientCloseCodes.HEARTBEAT_TIMEOUT);
    await vi.waitFor(() => expect(server.connections.length).toBeGreaterThanOrEqual(2), WAIT);
  });

  it('sends the app-level ping and stays up while the server answers it', async () => {
    const server = await startServer((ws) => {
      ws.on('message', (data) => {
        if (rawText(data) === '{"type":"ping"}') ws.send('{"type":"pong"}');
      });
    });
    const socket = openSocket({
      url: server.url,
      incoming: z.object({ type: z.literal('pong') }),
      WebSocket: BrowserWebSocket,
      heartbeat: { intervalMs: 80, message: () => ({ type: 'ping' }) },
    });
    const log = recordEvents(socket);

    await vi.waitFor(() => expect(log.messages.length).toBeGreaterThanOrEqual(4), WAIT);
    expect(log.closes).toEqual([]);
    expect(server.connections).toHaveLength(1);
    expect(new Set(server.received)).toEqual(new Set(['{"type":"ping"}']));
  });

  it('sends string pings as they are', async () => {
    const server = await startServer();
    openSocket({
      url: server.url,
      incoming: anything,
      WebSocket: BrowserWebSocket,
      heartbeat: { intervalMs: 20, timeoutMs: 60_000, message: () => 'ping' },
    });
    await vi.waitFor(() => expect(server.received.slice(0, 2)).toEqual(['ping', 'ping']), WAIT);
  });
});
