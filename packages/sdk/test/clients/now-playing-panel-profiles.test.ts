/**
 * The panel client's profiles (compact, field lists) and its REST polling fallback, against a real
 * HTTP server on port 0 whose upgrade handling can be switched between refusing (a proxy without
 * WebSocket support) and accepting.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { createPanelClient, type PanelClient } from '../../src/clients/now-playing-panel';
import type { MarqueeError } from '../../src/errors';
import {
  pickSessionFields,
  toCompactSnapshot,
  type CompactSnapshot,
  type FieldSnapshot,
  type Snapshot,
} from '../../src/protocol/now-playing';
import type { InvalidMessage } from '../../src/transport/socket-types';
import type { WebSocketConstructor } from '../../src/transport/websocket-like';
import { extractSeedExamples, readSeed } from '../helpers/seed-examples';
import { WAIT, onCleanup } from '../transport/helpers';

const seedSnapshot = extractSeedExamples(readSeed('now-playing'))[0]?.value as Snapshot;

/** The message the server sends for a request's query, as the Marquee server renders it. */
function render(url: URL): unknown {
  if (url.searchParams.get('profile') === 'compact') return toCompactSnapshot(seedSnapshot);
  const fields = url.searchParams.get('fields');
  if (fields !== null) {
    return pickSessionFields(
      seedSnapshot,
      fields.split(',') as Array<keyof Snapshot['sessions'][0]>,
    );
  }
  return seedSnapshot;
}

interface FakeServer {
  readonly baseUrl: string;
  /** Upgrade request URLs, refused ones included. */
  readonly upgrades: string[];
  /** REST requests: URL and Authorization header. */
  readonly polls: Array<{ url: string; authorization: string | undefined }>;
  /** Whether upgrades are accepted; refused with 503 while false. */
  acceptUpgrades: boolean;
  /** Overrides the socket's first message. */
  socketMessage?: string;
}

async function startServer(acceptUpgrades: boolean): Promise<FakeServer> {
  const wss = new WebSocketServer({ noServer: true });
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/dashboard/now-playing') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'Not Found' }));
      return;
    }
    server.polls.push({ url: req.url ?? '', authorization: req.headers.authorization });
    if (req.headers.authorization !== 'Bearer display-token') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'Not authenticated', code: 'UNAUTHORIZED' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(render(url)));
  });
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    // A client may reset a refused upgrade before reading the answer; that is not a test failure.
    socket.on('error', () => socket.destroy());
    server.upgrades.push(req.url ?? '');
    if (!server.acceptUpgrades) {
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      ws.send(server.socketMessage ?? JSON.stringify(render(url)));
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  const server: FakeServer = {
    baseUrl: `http://127.0.0.1:${address.port}`,
    upgrades: [],
    polls: [],
    acceptUpgrades,
  };
  onCleanup(async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return server;
}

/** Quick retries so a test sees several failed attempts in a few milliseconds. */
const fast = { backoff: { initialMs: 5, maxMs: 10 }, network: false, heartbeat: false } as const;

function collect<M>(client: PanelClient<M>) {
  const snapshots: M[] = [];
  const invalid: InvalidMessage[] = [];
  const errors: MarqueeError[] = [];
  const polling: boolean[] = [];
  client.on('snapshot', (snapshot) => snapshots.push(snapshot));
  client.on('invalid-message', (bad) => invalid.push(bad));
  client.on('error', (error) => errors.push(error));
  client.on('polling', (active) => polling.push(active));
  return { snapshots, invalid, errors, polling };
}

describe('panel client profiles', () => {
  it('asks for the compact profile and validates it as CompactSnapshot', async () => {
    const server = await startServer(true);
    const client = createPanelClient({ baseUrl: server.baseUrl, profile: 'compact', ...fast });
    onCleanup(() => client.close());
    expectTypeOf(client).toEqualTypeOf<PanelClient<CompactSnapshot>>();
    const seen = collect(client);
    client.connect();
    await vi.waitFor(() => expect(seen.snapshots).toHaveLength(1), WAIT);
    expect(server.upgrades).toEqual(['/api/dashboard/ws?profile=compact']);
    expect(seen.snapshots[0]).toEqual(toCompactSnapshot(seedSnapshot));
    expectTypeOf(seen.snapshots[0]?.sessions[0]?.pos).toEqualTypeOf<number | undefined>();
    expect(client.latest?.ts).toBe(seedSnapshot.timestamp);
  });

  it('reports a full snapshot on a compact socket as an invalid message', async () => {
    const server = await startServer(true);
    server.socketMessage = JSON.stringify(seedSnapshot);
    const client = createPanelClient({ baseUrl: server.baseUrl, profile: 'compact', ...fast });
    onCleanup(() => client.close());
    const seen = collect(client);
    client.connect();
    await vi.waitFor(() => expect(seen.invalid).toHaveLength(1), WAIT);
    expect(seen.snapshots).toEqual([]);
    expect(seen.invalid[0]?.issues.map((issue) => issue.path[0])).toContain('ts');
  });

  it('asks for a field list and types the sessions by it', async () => {
    const server = await startServer(true);
    const client = createPanelClient({
      baseUrl: server.baseUrl,
      fields: ['title', 'state', 'progress_percent'],
      ...fast,
    });
    onCleanup(() => client.close());
    expectTypeOf(client).toEqualTypeOf<
      PanelClient<FieldSnapshot<'title' | 'state' | 'progress_percent'>>
    >();
    const seen = collect(client);
    client.connect();
    await vi.waitFor(() => expect(seen.snapshots).toHaveLength(1), WAIT);
    expect(server.upgrades).toEqual(['/api/dashboard/ws?fields=title%2Cstate%2Cprogress_percent']);
    expect(seen.snapshots[0]?.sessions).toEqual([
      { title: 'The Matrix', progress_percent: 45.2, state: 'playing' },
    ]);
  });

  it('keeps the seed snapshot as the default', () => {
    const client = createPanelClient({ baseUrl: 'http://marquee.test' });
    expectTypeOf(client).toEqualTypeOf<PanelClient<Snapshot>>();
    // @ts-expect-error: the compact profile has fixed fields
    createPanelClient({ baseUrl: 'http://marquee.test', profile: 'compact', fields: ['title'] });
    // @ts-expect-error: only Session fields can be asked for
    createPanelClient({ baseUrl: 'http://marquee.test', fields: ['nope'] });
  });
});

describe('panel client REST fallback', () => {
  it('polls GET /api/dashboard/now-playing once the socket failed `after` times, then goes back to the socket', async () => {
    const server = await startServer(false);
    const client = createPanelClient({
      baseUrl: server.baseUrl,
      profile: 'compact',
      token: () => 'display-token',
      fallback: { after: 2, pollIntervalMs: 20 },
      ...fast,
    });
    onCleanup(() => client.close());
    const seen = collect(client);
    client.connect();

    await vi.waitFor(() => expect(seen.snapshots.length).toBeGreaterThanOrEqual(2), WAIT);
    expect(client.polling).toBe(true);
    expect(seen.polling).toEqual([true]);
    expect(server.upgrades.length).toBeGreaterThanOrEqual(2);
    expect(server.polls[0]).toEqual({
      url: '/api/dashboard/now-playing?profile=compact',
      authorization: 'Bearer display-token',
    });
    expect(seen.snapshots[0]).toEqual(toCompactSnapshot(seedSnapshot));
    expect(seen.invalid).toEqual([]);

    // The socket's snapshot is told apart from the polled ones by its time.
    const fromSocket = { ...toCompactSnapshot(seedSnapshot), ts: seedSnapshot.timestamp + 60 };
    server.socketMessage = JSON.stringify(fromSocket);
    server.acceptUpgrades = true;
    await vi.waitFor(() => expect(client.latest).toEqual(fromSocket), WAIT);
    expect(client.state).toBe('open');
    expect(client.polling).toBe(false);
    expect(seen.polling).toEqual([true, false]);
    const polls = server.polls.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.polls.length).toBe(polls);
  });

  it('starts polling when the WebSocket constructor throws, and reports REST errors', async () => {
    const server = await startServer(true);
    const NoWebSocket = function () {
      throw new TypeError('WebSocket is not available here');
    } as unknown as WebSocketConstructor;
    let token = 'stale-token';
    const client = createPanelClient({
      baseUrl: server.baseUrl,
      WebSocket: NoWebSocket,
      token: () => token,
      fallback: { after: 1, pollIntervalMs: 20 },
      ...fast,
    });
    onCleanup(() => client.close());
    const seen = collect(client);
    client.connect();

    await vi.waitFor(() => expect(seen.errors.map((e) => e.code)).toContain('UNAUTHORIZED'), WAIT);
    expect(server.upgrades).toEqual([]);
    expect(seen.snapshots).toEqual([]);
    token = 'display-token';
    await vi.waitFor(() => expect(seen.snapshots.length).toBeGreaterThan(0), WAIT);
    expect(seen.snapshots[0]).toEqual(seedSnapshot);
    expect(server.polls.at(-1)?.url).toBe('/api/dashboard/now-playing');

    client.close();
    const polls = server.polls.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.polls.length).toBe(polls);
    expect(seen.polling).toEqual([true, false]);
  });

  it('does not poll without the fallback option', async () => {
    const server = await startServer(false);
    const client = createPanelClient({ baseUrl: server.baseUrl, ...fast });
    onCleanup(() => client.close());
    const seen = collect(client);
    client.connect();
    await vi.waitFor(() => expect(server.upgrades.length).toBeGreaterThanOrEqual(4), WAIT);
    expect(server.polls).toEqual([]);
    expect(seen.polling).toEqual([]);
  });
});
