/**
 * The WebSocket gateway, connection and hub over real sockets: a node:http server on port 0 and
 * real `ws` clients. No wall-clock assertions: every wait is `vi.waitFor` on an observable count,
 * so the suite holds on a loaded two-core CI runner.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MarqueeError, protocol } from '@marquee/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import {
  createHub,
  createWsGateway,
  type ChannelHandler,
  type Connection,
  type WsGateway,
  type WsGatewayConfig,
  type WsLogger,
} from '../../src/core/ws/index';

const { CloseCodes } = protocol;
const WAIT = { timeout: 15_000, interval: 10 };

const silent: WsLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Harness {
  readonly server: Server;
  readonly gateway: WsGateway;
  url(path: string): string;
}

async function start(
  config: Partial<WsGatewayConfig> = {},
  extra: { maxInFlightPerConnection?: number; closeTimeoutMs?: number } = {},
): Promise<Harness> {
  const server = createServer((_req, res) => res.writeHead(426).end());
  const gateway = createWsGateway({
    server,
    logger: silent,
    config: {
      trustProxy: false,
      maxConnectionsPerIp: 0,
      maxConnectionsPerUser: 0,
      maxWsPayloadBytes: 1024,
      wsPingIntervalMs: 25_000,
      wsMaxQueuedMessages: 256,
      wsConnectsPerIpPerSecond: 0,
      rateLimitExemptLoopback: false,
      rateLimitMaxKeys: 1000,
      corsOrigins: [],
      ...config,
    },
    closeTimeoutMs: 2_000,
    ...extra,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(async () => {
    await gateway.closeAll();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { server, gateway, url: (path) => `ws://127.0.0.1:${port}${path}` };
}

/** A channel that accepts everyone and hands each connection to `onConn`. */
function openChannel<Ctx = string>(
  onConn: (conn: Connection<Ctx>) => void = () => undefined,
  ctx: (req: IncomingMessage) => Ctx = () => 'anyone' as Ctx,
): ChannelHandler<Ctx> {
  return { authorize: (req) => ctx(req), onConnection: (conn) => onConn(conn) };
}

interface Client {
  readonly ws: WebSocket;
  readonly messages: string[];
  /** Binary frames received (every Marquee message is a text frame). */
  readonly binaryFrames: () => number;
  readonly closed: Promise<{ code: number; reason: string }>;
}

function client(url: string, options: ClientOptions = {}): Promise<Client> {
  const ws = new WebSocket(url, options);
  const messages: string[] = [];
  let binary = 0;
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) binary += 1;
    messages.push(data.toString('utf8'));
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  cleanups.push(async () => {
    ws.terminate();
    await closed;
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, closed, binaryFrames: () => binary }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** Opens a socket that must be refused; resolves with the HTTP status and JSON body. */
function refused(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

describe('gateway routing and auth', () => {
  it('routes by pathname to the channel and passes its context', async () => {
    const h = await start();
    const seen: string[] = [];
    h.gateway.channel(
      '/a',
      openChannel<string>(
        (conn) => seen.push(`a:${conn.ctx}`),
        (req) => new URL(req.url ?? '/', 'http://x').searchParams.get('who') ?? '',
      ),
    );
    h.gateway.channel(
      '/b',
      openChannel((conn) => seen.push(`b:${conn.ctx}`)),
    );
    await client(h.url('/a?who=alice'));
    await client(h.url('/b'));
    await vi.waitFor(() => expect(seen.sort()).toEqual(['a:alice', 'b:anyone']), WAIT);
    expect(h.gateway.connectionCount()).toBe(2);
    expect(h.gateway.stats().byChannel).toEqual({ '/a': 1, '/b': 1 });
    expect(() => h.gateway.channel('/a', openChannel())).toThrow(/already registered/);
  });

  it('answers an unknown path with HTTP 404', async () => {
    const h = await start();
    h.gateway.channel('/a', openChannel());
    const { status, body } = await refused(h.url('/nope'));
    expect(status).toBe(404);
    expect(body).toMatchObject({ code: 'NOT_FOUND' });
    expect(h.gateway.stats().rejected[404]).toBe(1);
  });

  it("refuses with the MarqueeError's status and the channel's error shape", async () => {
    const h = await start();
    h.gateway.channel('/ws', {
      authorize: (req) => {
        if (req.headers.authorization === undefined) {
          throw new MarqueeError('UNAUTHORIZED', 'Missing token');
        }
        throw new MarqueeError('FORBIDDEN', 'Not for you');
      },
      onConnection: () => undefined,
    });
    h.gateway.channel('/seed', {
      authorize: () => Promise.reject(new MarqueeError('UNAUTHORIZED', 'Missing token')),
      onConnection: () => undefined,
      renderError: (error) => ({ detail: error.message, code: error.code }),
    });
    h.gateway.channel('/bug', {
      authorize: () => {
        throw new Error('database is on fire');
      },
      onConnection: () => undefined,
    });

    expect(await refused(h.url('/ws'))).toEqual({
      status: 401,
      body: { code: 'UNAUTHORIZED', message: 'Missing token' },
    });
    expect((await refused(h.url('/ws'), { authorization: 'Bearer x' })).status).toBe(403);
    expect(await refused(h.url('/seed'))).toEqual({
      status: 401,
      body: { detail: 'Missing token', code: 'UNAUTHORIZED' },
    });
    const bug = await refused(h.url('/bug'));
    expect(bug.status).toBe(500);
    expect(JSON.stringify(bug.body)).not.toContain('fire');
  });
});

describe('per-IP connection limit', () => {
  it('counts the X-Forwarded-For client when the proxy is trusted', async () => {
    const h = await start({ maxConnectionsPerIp: 2, trustProxy: '127.0.0.1' });
    h.gateway.channel('/ws', openChannel());
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    await client(h.url('/ws'), from('203.0.113.1'));
    const second = await client(h.url('/ws'), from('203.0.113.1'));
    const third = await refused(h.url('/ws'), { 'x-forwarded-for': '203.0.113.1' });
    expect(third).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    // Another client behind the same proxy has its own budget.
    await client(h.url('/ws'), from('203.0.113.2'));
    // Closing frees the slot.
    second.ws.close();
    await second.closed;
    await vi.waitFor(() => expect(h.gateway.stats().distinctIps).toBe(2), WAIT);
    await client(h.url('/ws'), from('203.0.113.1'));
  });

  it('ignores X-Forwarded-For when the peer is not a trusted proxy', async () => {
    const h = await start({ maxConnectionsPerIp: 2, trustProxy: false });
    h.gateway.channel('/ws', openChannel());
    const seen: string[] = [];
    h.gateway.channel(
      '/ip',
      openChannel((conn) => seen.push(conn.ip)),
    );
    await client(h.url('/ip'), { headers: { 'x-forwarded-for': '203.0.113.1' } });
    await client(h.url('/ws'), { headers: { 'x-forwarded-for': '203.0.113.2' } });
    const spoofed = await refused(h.url('/ws'), { 'x-forwarded-for': '203.0.113.3' });
    expect(spoofed.status).toBe(429);
    expect(seen).toEqual(['127.0.0.1']);
  });

  it('treats 0 as no limit', async () => {
    const h = await start({ maxConnectionsPerIp: 0 });
    h.gateway.channel('/ws', openChannel());
    await Promise.all(Array.from({ length: 20 }, () => client(h.url('/ws'))));
    expect(h.gateway.connectionCount()).toBe(20);
  });
});

describe('per-principal connection limit', () => {
  it("counts the channel's signed-in identity across channels, refuses past the limit, frees on close", async () => {
    const h = await start({ maxConnectionsPerUser: 2 });
    const byHeader: ChannelHandler<string> = {
      authorize: (req) => String(req.headers['x-user'] ?? ''),
      onConnection: () => undefined,
      identityOf: (user) =>
        user === ''
          ? undefined
          : { kind: 'user', userId: user.charCodeAt(0), username: user, role: 'viewer' },
      renderError: (error) => ({ detail: error.message, code: error.code }),
    };
    h.gateway.channel('/a', byHeader);
    h.gateway.channel('/b', { ...byHeader });
    const as = (user: string) => ({ headers: { 'x-user': user } });
    const first = await client(h.url('/a'), as('ann'));
    await client(h.url('/b'), as('ann'));
    const third = await refused(h.url('/a'), { 'x-user': 'ann' });
    expect(third).toEqual({
      status: 429,
      body: { detail: 'Too many connections for this account', code: 'RATE_LIMITED' },
    });
    expect(h.gateway.stats().rejected).toEqual({ 429: 1 });
    // Another user, and sockets without one, are not affected; nor are channels that opt out.
    h.gateway.channel('/c', { ...byHeader, perUserLimit: false });
    await Promise.all([1, 2, 3].map(() => client(h.url('/c'), as('ann'))));
    await client(h.url('/a'), as('bob'));
    await Promise.all([1, 2, 3].map(() => client(h.url('/a'))));
    first.ws.close();
    await first.closed;
    await vi.waitFor(() => client(h.url('/a'), as('ann')), WAIT);
  });
});

describe('liveness and frame limits', () => {
  it('terminates a peer that stops answering pings and keeps a healthy one', async () => {
    // Not tinier: client and server share one event loop, and a loop stalled past a whole
    // interval on a loaded runner would make the healthy peer's pong look late too.
    const h = await start({ wsPingIntervalMs: 250 });
    h.gateway.channel('/ws', openChannel());
    const healthy = await client(h.url('/ws'));
    let healthyPings = 0;
    healthy.ws.on('ping', () => (healthyPings += 1));
    const silentPeer = await client(h.url('/ws'), { autoPong: false });

    const { code } = await silentPeer.closed;
    expect(code).toBe(1006);
    expect(h.gateway.stats().deadPeersTerminated).toBe(1);
    const pingsAtDeath = healthyPings;
    await vi.waitFor(() => expect(healthyPings).toBeGreaterThanOrEqual(pingsAtDeath + 2), WAIT);
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
    expect(h.gateway.connectionCount()).toBe(1);
  });

  it('closes with 1009 on a message over maxWsPayloadBytes', async () => {
    const h = await start({ maxWsPayloadBytes: 1024 });
    const received: string[] = [];
    h.gateway.channel(
      '/ws',
      openChannel((conn) => conn.onMessage((text) => received.push(text))),
    );
    const c = await client(h.url('/ws'));
    c.ws.send('x'.repeat(1000));
    c.ws.send('y'.repeat(1025));
    expect((await c.closed).code).toBe(CloseCodes.MESSAGE_TOO_BIG);
    expect(received).toEqual(['x'.repeat(1000)]);
  });

  it('closes with UNSUPPORTED_DATA on a binary frame unless the channel accepts binary', async () => {
    const h = await start();
    const bytes: number[] = [];
    h.gateway.channel('/text', openChannel());
    h.gateway.channel(
      '/bin',
      openChannel((conn) => conn.onBinary((data) => bytes.push(data.length))),
    );
    const text = await client(h.url('/text'));
    text.ws.send(Buffer.from([1, 2, 3]));
    expect((await text.closed).code).toBe(CloseCodes.UNSUPPORTED_DATA);
    const bin = await client(h.url('/bin'));
    bin.ws.send(Buffer.from([1, 2, 3]));
    await vi.waitFor(() => expect(bytes).toEqual([3]), WAIT);
  });

  it('closes with INTERNAL_ERROR when a message handler throws', async () => {
    const h = await start();
    h.gateway.channel(
      '/ws',
      openChannel((conn) =>
        conn.onMessage(() => {
          throw new Error('boom');
        }),
      ),
    );
    const c = await client(h.url('/ws'));
    c.ws.send('hi');
    expect((await c.closed).code).toBe(CloseCodes.INTERNAL_ERROR);
  });
});

describe('backpressure', () => {
  it('drops a slow consumer with SLOW_CONSUMER while a healthy one gets every message', async () => {
    const h = await start({ wsMaxQueuedMessages: 16 });
    const hub = createHub();
    const conns: Connection[] = [];
    h.gateway.channel(
      '/feed',
      openChannel((conn) => {
        conns.push(conn);
        hub.subscribe('feed', conn);
      }),
    );
    const fast = await client(h.url('/feed'));
    const slow = await client(h.url('/feed'));
    slow.ws.pause(); // stops reading: the kernel buffers fill, then ws's writes stall
    await vi.waitFor(() => expect(hub.subscriberCount('feed')).toBe(2), WAIT);
    const slowConn = conns[1];
    if (slowConn === undefined) throw new Error('no server-side connection');

    const filler = 'z'.repeat(128 * 1024);
    let published = 0;
    while (!slowConn.isClosed && published < 2_000) {
      published += 1;
      hub.publish('feed', { n: published, filler });
      // The healthy client keeps up: each message arrives before the next is published.
      await vi.waitFor(() => expect(fast.messages.length).toBe(published), WAIT);
    }
    expect(slowConn.isClosed).toBe(true);
    expect(slowConn.requestedClose?.code).toBe(CloseCodes.SLOW_CONSUMER);

    // The fast consumer is untouched and gets messages published after the drop too.
    hub.publish('feed', { n: published + 1, filler: '' });
    await vi.waitFor(() => expect(fast.messages.length).toBe(published + 1), WAIT);
    const numbers = fast.messages.map((m) => (JSON.parse(m) as { n: number }).n);
    expect(numbers).toEqual(Array.from({ length: published + 1 }, (_, i) => i + 1));
    expect(fast.ws.readyState).toBe(WebSocket.OPEN);

    // Once it reads again, the slow client finds the close frame behind its backlog.
    slow.ws.resume();
    expect((await slow.closed).code).toBe(CloseCodes.SLOW_CONSUMER);
    expect(slow.messages.length).toBeLessThan(published);
    await vi.waitFor(() => expect(h.gateway.stats().slowConsumersClosed).toBe(1), WAIT);
    // Counted per channel: every message the fast one got, what the slow one got to ws, and
    // the overflowing queue the slow one still held when it was dropped. The slow one stays
    // subscribed until its closing handshake ends, so the last publish is dropped there too.
    const traffic = h.gateway.stats().traffic['/feed'];
    expect(traffic?.delivered).toBeGreaterThanOrEqual(published + 1 + slow.messages.length);
    expect(traffic?.dropped).toBeGreaterThan(16);
    expect((traffic?.delivered ?? 0) + (traffic?.dropped ?? 0)).toBe(2 * (published + 1));
  });

  it('keeps only the newest queued snapshot per key (latest wins)', async () => {
    const h = await start({}, { maxInFlightPerConnection: 2 });
    let conn: Connection | undefined;
    h.gateway.channel(
      '/ws',
      openChannel((c) => (conn = c)),
    );
    const c = await client(h.url('/ws'));
    await vi.waitFor(() => expect(conn).toBeDefined(), WAIT);
    const server = conn as Connection;

    // Synchronously: the first two go in flight, everything after waits in the queue.
    server.send('in-flight-1');
    server.send('in-flight-2');
    server.sendLatest('snapshot', 'snapshot-1');
    server.send('event-A');
    server.sendLatest('snapshot', 'snapshot-2');
    server.sendLatest('other', 'other-1');
    server.sendLatest('snapshot', 'snapshot-3');
    expect(server.queuedCount).toBe(3);

    await vi.waitFor(() => expect(c.messages).toHaveLength(5), WAIT);
    expect(c.messages).toEqual(['in-flight-1', 'in-flight-2', 'event-A', 'other-1', 'snapshot-3']);
    expect(h.gateway.stats().traffic).toEqual({
      '/ws': { delivered: 5, coalesced: 2, dropped: 0 },
    });
    c.ws.close();
    await c.closed;
    server.send('too late');
    expect(h.gateway.stats().traffic['/ws']).toEqual({ delivered: 5, coalesced: 2, dropped: 1 });
  });
});

describe('writes without a completion callback (fan-out fast path)', () => {
  async function oneConnection(maxInFlightPerConnection = 2) {
    const h = await start({ wsMaxQueuedMessages: 64 }, { maxInFlightPerConnection });
    let conn: Connection | undefined;
    h.gateway.channel(
      '/ws',
      openChannel((c) => (conn = c)),
    );
    const c = await client(h.url('/ws'));
    await vi.waitFor(() => expect(conn).toBeDefined(), WAIT);
    return { c, server: conn as Connection };
  }

  it('keeps a healthy socket flowing: one message per tick, none held back', async () => {
    const { c, server } = await oneConnection();
    const send = vi.spyOn(server.socket, 'send');
    for (let i = 0; i < 200; i++) {
      expect(server.send(`m${i}`)).toBe(true);
      // Nothing may stay queued across ticks on a socket that keeps up.
      await new Promise((resolve) => setImmediate(resolve));
      expect(server.queuedCount).toBe(0);
    }
    await vi.waitFor(() => expect(c.messages).toHaveLength(200), WAIT);
    expect(c.messages).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    // Each was settled on the tick after it, so none needed a completion callback.
    expect(send).toHaveBeenCalledTimes(200);
    expect(send.mock.calls.every((call) => call[2] === undefined)).toBe(true);
  });

  it('settles an unconfirmed write that was still buffered, without losing or reordering', async () => {
    const { c, server } = await oneConnection();
    c.ws.pause();
    // Bigger than the loopback buffers: still buffered in Node at the next tick.
    const big = 'x'.repeat(8 * 1024 * 1024);
    expect(server.send(`a${big}`)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.socket.bufferedAmount).toBeGreaterThan(0);
    // One more goes in flight (with a callback), the rest wait in the queue.
    for (const text of ['b', 'c', 'd']) expect(server.send(text)).toBe(true);
    expect(server.queuedCount).toBe(2);

    c.ws.resume();
    await vi.waitFor(() => expect(c.messages).toHaveLength(4), WAIT);
    expect(c.messages.map((m) => m.slice(0, 1))).toEqual(['a', 'b', 'c', 'd']);
    // Settled: later sends go straight out again.
    for (const text of ['e', 'f', 'g']) server.send(text);
    await vi.waitFor(() => expect(c.messages).toHaveLength(7), WAIT);
    expect(c.messages.slice(4)).toEqual(['e', 'f', 'g']);
    expect(server.queuedCount).toBe(0);
  });

  it('a buffered unconfirmed write with nothing after it is settled by the next send', async () => {
    const { c, server } = await oneConnection();
    c.ws.pause();
    server.send(`a${'x'.repeat(8 * 1024 * 1024)}`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.socket.bufferedAmount).toBeGreaterThan(0);
    c.ws.resume();
    await vi.waitFor(() => expect(c.messages).toHaveLength(1), WAIT);
    await vi.waitFor(() => expect(server.socket.bufferedAmount).toBe(0), WAIT);
    for (let i = 0; i < 20; i++) server.send(`n${i}`);
    await vi.waitFor(() => expect(c.messages).toHaveLength(21), WAIT);
    expect(c.messages.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
    expect(server.queuedCount).toBe(0);
  });

  it('with a window of one, every write carries its callback', async () => {
    const { c, server } = await oneConnection(1);
    server.send('one');
    server.send('two');
    expect(server.queuedCount).toBe(1);
    await vi.waitFor(() => expect(c.messages).toEqual(['one', 'two']), WAIT);
  });
});

describe('hub over sockets', () => {
  it('serialises once and every subscriber receives the same text', async () => {
    const h = await start();
    let calls = 0;
    const hub = createHub({
      serialize: (message) => {
        calls += 1;
        return JSON.stringify(message);
      },
    });
    h.gateway.channel(
      '/ws',
      openChannel((conn) => hub.subscribe('snap', conn)),
    );
    const clients = await Promise.all(Array.from({ length: 5 }, () => client(h.url('/ws'))));
    await vi.waitFor(() => expect(hub.subscriberCount('snap')).toBe(5), WAIT);

    expect(hub.publishLatest('snap', 'snapshot', { sessions: [], timestamp: 1 })).toBe(5);
    expect(calls).toBe(1);
    for (const c of clients) {
      await vi.waitFor(() => expect(c.messages).toEqual(['{"sessions":[],"timestamp":1}']), WAIT);
      expect(c.binaryFrames()).toBe(0);
    }

    // Closing a socket unsubscribes it.
    clients[0]?.ws.close();
    await vi.waitFor(() => expect(hub.subscriberCount('snap')).toBe(4), WAIT);
  });
});

describe('shutdown and revocation', () => {
  it('closeAll sends GOING_AWAY to every client and refuses new upgrades', async () => {
    const h = await start();
    h.gateway.channel('/ws', openChannel());
    const clients = await Promise.all([client(h.url('/ws')), client(h.url('/ws'))]);
    await h.gateway.closeAll();
    for (const c of clients) expect((await c.closed).code).toBe(CloseCodes.GOING_AWAY);
    expect(h.gateway.connectionCount()).toBe(0);
    expect((await refused(h.url('/ws'))).status).toBe(503);
  });

  it('closeAll terminates peers that never finish the closing handshake', async () => {
    const h = await start({}, { closeTimeoutMs: 200 });
    h.gateway.channel('/ws', openChannel());
    const stuck = await client(h.url('/ws'));
    stuck.ws.pause(); // never reads the close frame, so never answers it
    await h.gateway.closeAll(CloseCodes.GOING_AWAY, 'bye');
    expect(h.gateway.connectionCount()).toBe(0);
  });

  it('closeWhere closes only the matching sockets', async () => {
    const h = await start();
    h.gateway.channel(
      '/ws',
      openChannel(
        () => undefined,
        (req) => ({ tokenId: req.headers['x-token'] }),
      ),
    );
    const revoked = await client(h.url('/ws'), { headers: { 'x-token': 'old' } });
    const kept = await client(h.url('/ws'), { headers: { 'x-token': 'new' } });
    await vi.waitFor(() => expect(h.gateway.connectionCount()).toBe(2), WAIT);

    const count = h.gateway.closeWhere(
      (conn) => (conn.ctx as { tokenId?: string }).tokenId === 'old',
      CloseCodes.UNAUTHORIZED,
      'token revoked',
    );
    expect(count).toBe(1);
    expect(await revoked.closed).toEqual({
      code: CloseCodes.UNAUTHORIZED,
      reason: 'token revoked',
    });
    await vi.waitFor(() => expect(h.gateway.connectionCount()).toBe(1), WAIT);
    expect(kept.ws.readyState).toBe(WebSocket.OPEN);
  });
});
