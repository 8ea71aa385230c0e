import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { WAIT, openSocket, rawText, recordEvents, startServer } from './helpers';

type Out = { type: 'state'; value: number } | { type: 'event'; n: number };

describe('send queue', () => {
  it('bounds the queue while disconnected, dropping the oldest with a dropped event', async () => {
    const server = await startServer();
    const socket = openSocket<unknown, Out>(
      { url: server.url, incoming: z.unknown(), maxQueue: 3 },
      { connect: false },
    );
    const log = recordEvents(socket);
    for (let n = 1; n <= 5; n++) expect(socket.send({ type: 'event', n })).toBe('queued');

    expect(socket.queued).toBe(3);
    expect(log.dropped).toEqual([
      { message: { type: 'event', n: 1 }, reason: 'overflow' },
      { message: { type: 'event', n: 2 }, reason: 'overflow' },
    ]);
    socket.connect();
    await vi.waitFor(() => expect(server.received).toHaveLength(3), WAIT);
    expect(server.received.map((m) => (JSON.parse(m) as { n: number }).n)).toEqual([3, 4, 5]);
    expect(socket.queued).toBe(0);
  });

  it('coalesces by key (latest wins) and flushes in order on reconnect', async () => {
    const server = await startServer();
    const socket = openSocket<unknown, Out>({
      url: server.url,
      incoming: z.unknown(),
      // Slow enough that the sends below land while disconnected.
      backoff: { initialMs: 200, maxMs: 200 },
      random: () => 1,
      coalesceKey: (message) => (message.type === 'state' ? 'state' : undefined),
    });
    const log = recordEvents(socket);
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);
    socket.send({ type: 'event', n: 0 });
    await vi.waitFor(() => expect(server.received).toHaveLength(1), WAIT);

    socket.once('reconnecting', () => {
      socket.send({ type: 'state', value: 1 });
      socket.send({ type: 'event', n: 1 });
      socket.send({ type: 'state', value: 2 });
      socket.send({ type: 'event', n: 2 });
      socket.send({ type: 'state', value: 3 });
    });
    server.last().terminate();

    await vi.waitFor(() => expect(server.received).toHaveLength(4), WAIT);
    expect(server.connections).toHaveLength(2);
    expect(server.received.slice(1).map((m) => JSON.parse(m) as Out)).toEqual([
      { type: 'event', n: 1 },
      { type: 'event', n: 2 },
      { type: 'state', value: 3 },
    ]);
    expect(log.dropped).toEqual([
      { message: { type: 'state', value: 1 }, reason: 'coalesced' },
      { message: { type: 'state', value: 2 }, reason: 'coalesced' },
    ]);
  });

  it('drops what is still queued on close()', () => {
    const socket = openSocket<unknown, Out>(
      { url: 'ws://127.0.0.1:1', incoming: z.unknown() },
      { connect: false },
    );
    const log = recordEvents(socket);
    socket.send({ type: 'event', n: 1 });
    socket.close();
    expect(log.dropped).toEqual([{ message: { type: 'event', n: 1 }, reason: 'closed' }]);
  });
});

describe('onConnect (resubscribe)', () => {
  it('runs on every open, before the queue is flushed', async () => {
    const server = await startServer();
    const socket = openSocket<unknown, unknown>({
      url: server.url,
      incoming: z.unknown(),
      onConnect: async (handle) => {
        await Promise.resolve();
        handle.send({ type: 'subscribe', topic: 'now-playing' });
      },
    });
    await vi.waitFor(() => expect(server.received).toHaveLength(1), WAIT);

    socket.once('reconnecting', () => socket.send({ type: 'queued' }));
    server.last().terminate();
    await vi.waitFor(() => expect(server.received).toHaveLength(3), WAIT);
    expect(server.received).toEqual([
      '{"type":"subscribe","topic":"now-playing"}',
      '{"type":"subscribe","topic":"now-playing"}',
      '{"type":"queued"}',
    ]);
  });

  it('can wait for an acknowledgement with request() before the queue flushes', async () => {
    const server = await startServer((ws) => {
      ws.on('message', (data) => {
        if (rawText(data).includes('subscribe')) {
          setTimeout(() => ws.send(JSON.stringify({ type: 'subscribed' })), 20);
        }
      });
    });
    const socket = openSocket(
      {
        url: server.url,
        incoming: z.object({ type: z.literal('subscribed') }),
        onConnect: async (handle) => {
          await handle.request({ type: 'subscribe' }, { match: (m) => m.type === 'subscribed' });
          handle.send({ type: 'after-ack' });
        },
      },
      { connect: false },
    );
    socket.send({ type: 'queued' });
    socket.connect();
    await vi.waitFor(() => expect(server.received).toHaveLength(3), WAIT);
    expect(server.received).toEqual([
      '{"type":"subscribe"}',
      '{"type":"after-ack"}',
      '{"type":"queued"}',
    ]);
  });

  it('reports a failing hook as an error and keeps the connection', async () => {
    const server = await startServer();
    const socket = openSocket({
      url: server.url,
      incoming: z.unknown(),
      onConnect: () => {
        throw new Error('subscribe failed');
      },
    });
    const log = recordEvents(socket);
    await vi.waitFor(
      () => expect(log.errors.map((e) => e.message)).toEqual(['subscribe failed']),
      WAIT,
    );
    expect(socket.state).toBe('open');
  });
});
