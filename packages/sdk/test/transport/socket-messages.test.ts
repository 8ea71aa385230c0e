import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { MarqueeError } from '../../src/errors';
import { WAIT, openSocket, rawText, recordEvents, startServer } from './helpers';

const Incoming = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stats'), cpu: z.number() }),
  z.object({ type: z.literal('notice'), text: z.string() }),
  z.object({ type: z.literal('reply'), id: z.number(), ok: z.boolean() }),
]);
const Outgoing = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ask'), id: z.number() }),
  z.object({ type: z.literal('state'), value: z.number() }),
]);

describe('incoming validation', () => {
  it('reports invalid messages and stays open; valid ones after still arrive', async () => {
    const server = await startServer((ws) => {
      ws.send('not json {');
      ws.send(JSON.stringify({ type: 'stats', cpu: 'high' }));
      ws.send(Buffer.from(JSON.stringify({ type: 'notice', text: 'binary frames decode' })));
      ws.send(JSON.stringify({ type: 'stats', cpu: 12.5 }));
    });
    const socket = openSocket({ url: server.url, incoming: Incoming });
    const log = recordEvents(socket);

    await vi.waitFor(() => expect(log.messages).toHaveLength(2), WAIT);
    expect(log.messages).toEqual([
      { type: 'notice', text: 'binary frames decode' },
      { type: 'stats', cpu: 12.5 },
    ]);
    expect(log.invalid).toHaveLength(2);
    expect(log.invalid[0]?.raw).toBe('not json {');
    expect(log.invalid[0]?.error).toBeInstanceOf(SyntaxError);
    expect(log.invalid[0]?.issues).toEqual([]);
    expect(log.invalid[1]?.raw).toBe('{"type":"stats","cpu":"high"}');
    expect(log.invalid[1]?.issues[0]?.path).toEqual(['cpu']);
    expect(socket.state).toBe('open');
    expect(log.closes).toEqual([]);
    expect(server.connections).toHaveLength(1);
  });

  it('types the message event from the schema', () => {
    const socket = openSocket({ url: 'ws://127.0.0.1:1', incoming: Incoming }, { connect: false });
    socket.on('message', (message) => {
      expectTypeOf(message).toEqualTypeOf<z.infer<typeof Incoming>>();
    });
  });

  it('dispatches per kind with a narrowed type', async () => {
    const server = await startServer((ws) => {
      ws.send(JSON.stringify({ type: 'stats', cpu: 1 }));
      ws.send(JSON.stringify({ type: 'notice', text: 'hello' }));
      ws.send(JSON.stringify({ type: 'stats', cpu: 2 }));
    });
    const socket = openSocket({ url: server.url, incoming: Incoming });
    const cpus: number[] = [];
    const texts: string[] = [];
    socket.onMessage('stats', (message) => {
      expectTypeOf(message).toEqualTypeOf<{ type: 'stats'; cpu: number }>();
      cpus.push(message.cpu);
    });
    const unsubscribe = socket.onMessage('notice', (message) => texts.push(message.text));
    // @ts-expect-error: not a kind of this schema
    socket.onMessage('nope', () => undefined);

    await vi.waitFor(() => expect(cpus).toEqual([1, 2]), WAIT);
    expect(texts).toEqual(['hello']);
    unsubscribe();
    server.last().send(JSON.stringify({ type: 'notice', text: 'unheard' }));
    server.last().send(JSON.stringify({ type: 'stats', cpu: 3 }));
    await vi.waitFor(() => expect(cpus).toEqual([1, 2, 3]), WAIT);
    expect(texts).toEqual(['hello']);
  });

  it('dispatches by `action` too (signage control messages)', async () => {
    const Control = z.discriminatedUnion('action', [
      z.object({ action: z.literal('play') }),
      z.object({ action: z.literal('set_volume'), volume: z.number() }),
    ]);
    const server = await startServer((ws) => {
      ws.send(JSON.stringify({ action: 'play' }));
      ws.send(JSON.stringify({ action: 'set_volume', volume: 60 }));
    });
    const socket = openSocket({ url: server.url, incoming: Control });
    const volumes: number[] = [];
    socket.onMessage('set_volume', (message) => volumes.push(message.volume));
    await vi.waitFor(() => expect(volumes).toEqual([60]), WAIT);
  });
});

describe('outgoing validation', () => {
  it('throws INVALID_MESSAGE before sending a message that fails the schema', async () => {
    const server = await startServer();
    const socket = openSocket({ url: server.url, incoming: Incoming, outgoing: Outgoing });
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);

    const bad = { type: 'state', value: 'x' } as unknown as z.infer<typeof Outgoing>;
    let thrown: unknown;
    try {
      socket.send(bad);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MarqueeError);
    expect(thrown).toMatchObject({ code: 'INVALID_MESSAGE', details: [{ path: ['value'] }] });

    expect(socket.send({ type: 'state', value: 1 })).toBe('sent');
    await vi.waitFor(() => expect(server.received).toEqual(['{"type":"state","value":1}']), WAIT);
  });
});

describe('request()', () => {
  it('resolves with the first matching incoming message, typed by the guard', async () => {
    const server = await startServer((ws) => {
      ws.on('message', (data) => {
        const ask = JSON.parse(rawText(data)) as { id: number };
        ws.send(JSON.stringify({ type: 'notice', text: 'unrelated' }));
        ws.send(JSON.stringify({ type: 'reply', id: ask.id, ok: true }));
      });
    });
    const socket = openSocket({ url: server.url, incoming: Incoming, outgoing: Outgoing });
    type Reply = Extract<z.infer<typeof Incoming>, { type: 'reply' }>;
    const reply = await socket.request(
      { type: 'ask', id: 7 },
      { match: (m): m is Reply => m.type === 'reply' && m.id === 7 },
    );
    expectTypeOf(reply).toEqualTypeOf<Reply>();
    expect(reply).toEqual({ type: 'reply', id: 7, ok: true });

    // A plain predicate TypeScript can infer narrows too; a boolean matcher gives the union.
    const inferred = await socket.request(
      { type: 'ask', id: 8 },
      { match: (m) => m.type === 'reply' },
    );
    expectTypeOf(inferred).toEqualTypeOf<Reply>();
    const loose = await socket.request({ type: 'ask', id: 9 }, { match: () => true });
    expectTypeOf(loose).toEqualTypeOf<z.infer<typeof Incoming>>();
  });

  it('rejects with CONNECTION_CLOSED when the server kills the socket', async () => {
    const server = await startServer((ws) => ws.on('message', () => ws.terminate()));
    const socket = openSocket({ url: server.url, incoming: Incoming, outgoing: Outgoing });
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);

    const reply = socket.request({ type: 'ask', id: 1 }, { match: () => true, timeoutMs: 60_000 });
    await expect(reply).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    await expect(reply).rejects.toBeInstanceOf(MarqueeError);
  });

  it('rejects with TIMEOUT when no reply comes', async () => {
    const server = await startServer();
    const socket = openSocket({ url: server.url, incoming: Incoming, outgoing: Outgoing });
    const reply = socket.request({ type: 'ask', id: 1 }, { match: () => true, timeoutMs: 50 });
    await expect(reply).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('waits in the queue while disconnected, then is answered after the open', async () => {
    const server = await startServer((ws) => {
      ws.on('message', () => ws.send(JSON.stringify({ type: 'reply', id: 2, ok: true })));
    });
    const socket = openSocket(
      { url: server.url, incoming: Incoming, outgoing: Outgoing },
      { connect: false },
    );
    const reply = socket.request({ type: 'ask', id: 2 }, { match: (m) => m.type === 'reply' });
    expect(socket.queued).toBe(1);
    socket.connect();
    await expect(reply).resolves.toMatchObject({ id: 2 });
  });

  it('rejects when close() is called, and when its message is dropped from the queue', async () => {
    const socket = openSocket(
      { url: 'ws://127.0.0.1:1', incoming: Incoming, outgoing: Outgoing, maxQueue: 1 },
      { connect: false },
    );
    const first = socket.request({ type: 'ask', id: 1 }, { match: () => true });
    const second = socket.request({ type: 'ask', id: 2 }, { match: () => true });
    await expect(first).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    socket.close();
    await expect(second).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
  });
});
