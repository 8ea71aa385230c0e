import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ClientCloseCodes } from '../../src/transport/close-codes';
import { CloseCodes } from '../../src/protocol/close-codes';
import { WAIT, openSocket, recordEvents, sleep, startBlackhole, startServer } from './helpers';

const anything = z.unknown();

describe('reconnect', () => {
  it('reconnects after the server kills the socket, counting attempts up', async () => {
    // Every connection is killed as soon as it is accepted: the client never becomes stable.
    const server = await startServer((socket) => socket.terminate());
    const socket = openSocket({ url: server.url, incoming: anything, stableAfterMs: 60_000 });
    const log = recordEvents(socket);

    await vi.waitFor(() => expect(log.reconnecting.length).toBeGreaterThanOrEqual(4), WAIT);
    expect(log.reconnecting.slice(0, 4).map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    for (const { delayMs } of log.reconnecting) {
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThan(20);
    }
    expect(log.closes[0]?.wasClean).toBe(false);
    expect(server.connections.length).toBeGreaterThanOrEqual(4);
  });

  it('comes back to open after a kill and keeps working', async () => {
    const server = await startServer();
    const socket = openSocket({ url: server.url, incoming: anything }, { connect: false });
    const log = recordEvents(socket);
    socket.connect();
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);

    server.last().terminate();
    await vi.waitFor(() => expect(log.opens).toBe(2), WAIT);
    expect(socket.state).toBe('open');
    expect(server.connections).toHaveLength(2);
    expect(log.states).toEqual(['connecting', 'open', 'reconnecting', 'connecting', 'open']);
    expect(log.reconnecting.map((r) => r.attempt)).toEqual([1]);

    socket.send({ hello: 'again' });
    await vi.waitFor(() => expect(server.received).toEqual(['{"hello":"again"}']), WAIT);
  });

  it('resets the retry counter only after a connection stayed up stableAfterMs', async () => {
    const stableAfterMs = 100;
    let keep = false;
    let kept = 0;
    const server = await startServer((socket) => {
      if (keep) kept += 1;
      else socket.terminate();
    });
    const socket = openSocket({ url: server.url, incoming: anything, stableAfterMs });
    const log = recordEvents(socket);

    // Short-lived connections: the counter keeps climbing.
    await vi.waitFor(() => expect(log.reconnecting.length).toBeGreaterThanOrEqual(3), WAIT);
    keep = true;
    // The client may see a connection accepted just before `keep` open for a moment before the
    // server's kill reaches it: wait until the one it holds is a kept one.
    await vi.waitFor(() => {
      expect(kept).toBe(1);
      expect(socket.state).toBe('open');
    }, WAIT);
    const before = log.reconnecting.length;
    expect(log.reconnecting.map((r) => r.attempt)).toEqual(
      Array.from({ length: before }, (_, i) => i + 1),
    );

    // A connection that stayed up past the stable period: the next drop starts over at 1.
    await sleep(stableAfterMs * 3);
    server.last().terminate();
    await vi.waitFor(() => expect(log.reconnecting.length).toBe(before + 1), WAIT);
    expect(log.reconnecting.at(-1)?.attempt).toBe(1);

    // And a drop right after that reconnect (before it became stable) counts on: 2.
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);
    server.last().terminate();
    await vi.waitFor(() => expect(log.reconnecting.length).toBe(before + 2), WAIT);
    expect(log.reconnecting.at(-1)?.attempt).toBe(2);
  });

  it('gives up on a handshake that never completes and retries (connect timeout)', async () => {
    const blackhole = await startBlackhole();
    const socket = openSocket({ url: blackhole.url, incoming: anything, connectTimeoutMs: 50 });
    const log = recordEvents(socket);

    await vi.waitFor(() => expect(blackhole.sockets.length).toBeGreaterThanOrEqual(2), WAIT);
    expect(log.closes[0]).toEqual({
      code: ClientCloseCodes.CONNECT_TIMEOUT,
      reason: 'connect timeout',
      wasClean: false,
    });
    expect(log.errors.some((e) => e.code === 'TIMEOUT')).toBe(true);
    expect(log.opens).toBe(0);
    // The abandoned TCP connections are really closed, not leaked.
    await vi.waitFor(() => expect(blackhole.closed()).toBeGreaterThanOrEqual(1), WAIT);
  });

  it('close() stops reconnecting for good', async () => {
    const server = await startServer();
    const socket = openSocket({ url: server.url, incoming: anything });
    const log = recordEvents(socket);
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);

    socket.close();
    expect(socket.state).toBe('closed');
    await vi.waitFor(() => expect(log.closes).toHaveLength(1), WAIT);
    expect(log.closes[0]?.code).toBe(CloseCodes.NORMAL);
    await sleep(100);
    expect(server.connections).toHaveLength(1);
    expect(log.reconnecting).toEqual([]);
    expect(() => socket.connect()).toThrow(expect.objectContaining({ code: 'CONNECTION_CLOSED' }));
    expect(() => socket.send({})).toThrow(expect.objectContaining({ code: 'CONNECTION_CLOSED' }));
  });

  it.each(['REPLACED', 'DEVICE_REMOVED'] as const)(
    'does not reconnect when the server says it cannot help (%s)',
    async (name) => {
      const code = CloseCodes[name];
      const server = await startServer((socket) => socket.close(code, name));
      const socket = openSocket({ url: server.url, incoming: anything });
      const log = recordEvents(socket);

      await vi.waitFor(() => expect(socket.state).toBe('closed'), WAIT);
      expect(log.closes).toEqual([{ code, reason: name, wasClean: true }]);
      expect(log.reconnecting).toEqual([]);
    },
  );

  it('lets shouldReconnect override the policy', async () => {
    const server = await startServer((socket) => socket.close(CloseCodes.GOING_AWAY));
    const socket = openSocket({
      url: server.url,
      incoming: anything,
      shouldReconnect: (info) => info.code !== CloseCodes.GOING_AWAY,
    });
    await vi.waitFor(() => expect(socket.state).toBe('closed'), WAIT);
    expect(server.connections).toHaveLength(1);
  });
});
