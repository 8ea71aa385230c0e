import { once } from 'node:events';
import { createServer } from 'node:http';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { createPanelClient } from '../../src/clients/now-playing-panel';
import { MarqueeError } from '../../src/errors';
import type { Snapshot, StatsResponse } from '../../src/protocol/now-playing';
import type { InvalidMessage } from '../../src/transport/socket-types';
import { extractSeedExamples, readSeed } from '../helpers/seed-examples';
import { WAIT, onCleanup } from '../transport/helpers';

/** The seed's own WebSocket message example (seed 000, first JSON block). */
const seedSnapshot = extractSeedExamples(readSeed('now-playing'))[0]?.value;

/**
 * One port serving both sides of the surface, as the server does: the push channel on
 * /api/dashboard/ws (snapshot on connect) and REST on /api/dashboard/*.
 */
async function startNowPlayingServer(firstMessages: readonly string[]) {
  const http = createServer((req, res) => {
    if (req.url === '/api/dashboard/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify((seedSnapshot as { system: object }).system));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: 'Not Found' }));
    }
  });
  const wss = new WebSocketServer({ server: http, path: '/api/dashboard/ws' });
  const paths: string[] = [];
  wss.on('connection', (ws, req) => {
    paths.push(req.url ?? '');
    for (const message of firstMessages) ws.send(message);
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  onCleanup(async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return { baseUrl: `http://127.0.0.1:${address.port}`, wss, paths };
}

describe('now-playing panel client', () => {
  it('emits a typed snapshot for the seed message, and invalid-message for a bad one', async () => {
    const invalid = { ...(seedSnapshot as object), timestamp: 'yesterday' };
    const server = await startNowPlayingServer([
      JSON.stringify(seedSnapshot),
      JSON.stringify(invalid),
      JSON.stringify(seedSnapshot),
    ]);
    const client = createPanelClient({ baseUrl: server.baseUrl, network: false });
    onCleanup(() => client.close());
    const snapshots: Snapshot[] = [];
    const invalids: InvalidMessage[] = [];
    client.on('snapshot', (snapshot) => {
      expectTypeOf(snapshot).toEqualTypeOf<Snapshot>();
      snapshots.push(snapshot);
    });
    client.on('invalid-message', (bad) => invalids.push(bad));
    client.connect();

    await vi.waitFor(() => expect(snapshots).toHaveLength(2), WAIT);
    expect(server.paths).toEqual(['/api/dashboard/ws']);
    expect(snapshots[0]).toEqual(seedSnapshot);
    expect(snapshots[0]?.sessions[0]?.state).toBe('playing');
    expect(client.latest).toEqual(seedSnapshot);
    expect(invalids).toHaveLength(1);
    expect(invalids[0]?.issues[0]?.path).toEqual(['timestamp']);
    expect(client.state).toBe('open');
  });

  it('passes the display token on the channel URL', async () => {
    const server = await startNowPlayingServer([]);
    const client = createPanelClient({
      baseUrl: `${server.baseUrl}/`,
      token: () => 'display-token',
      network: false,
    }).connect();
    onCleanup(() => client.close());
    await vi.waitFor(
      () => expect(server.paths).toEqual(['/api/dashboard/ws?token=display-token']),
      WAIT,
    );
  });

  it('reads GET /api/dashboard/stats through the HTTP helper', async () => {
    const server = await startNowPlayingServer([]);
    const client = createPanelClient({ baseUrl: server.baseUrl });
    const stats = await client.stats();
    expectTypeOf(stats).toEqualTypeOf<StatsResponse>();
    expect(stats.cpu_percent).toBe(23.4);
    expect(stats.disk_total_gb).toBe(58);
  });

  it("normalises REST errors with the surface's {detail} shape", async () => {
    const client = createPanelClient({
      baseUrl: 'http://marquee.test',
      fetch: () => Promise.resolve(Response.json({ detail: 'Stats unavailable' }, { status: 503 })),
    });
    const error = await client.stats().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarqueeError);
    expect(error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      message: 'Stats unavailable',
    });
  });
});
