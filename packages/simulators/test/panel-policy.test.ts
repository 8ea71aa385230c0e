/**
 * The panel's connection policy against scripted `ws` servers on port 0: the firmware's
 * heartbeat (a ping per interval, a miss when nothing answers within the pong timeout, the socket
 * closed after N misses in a row) and its backoff (full jitter, the attempt counter reset by the
 * first valid frame, not by the open).
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { PanelSimulator } from '../src/index';

const FRAME = JSON.stringify({
  sessions: [],
  system: { cpu: 1, temp: null, ram: 2, disk: 3, down: 0, up: 0 },
  ts: 1_768_670_000,
});

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function fakeServer(
  onConnection: (socket: WebSocket) => void,
  options: { autoPong?: boolean } = {},
): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...options });
  wss.on('connection', onConnection);
  await new Promise((resolve) => wss.once('listening', resolve));
  cleanup.push(
    () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

function start(server: string, limits: ConstructorParameters<typeof PanelSimulator>[0]['limits']) {
  const panel = new PanelSimulator({ server, limits, random: () => 0.5 }).start();
  cleanup.push(() => panel.stop());
  return panel;
}

describe('the panel connection policy', () => {
  it('closes with "no pong" after the configured misses in a row', async () => {
    const url = await fakeServer((socket) => socket.send(FRAME), { autoPong: false });
    const panel = start(url, {
      heartbeatIntervalMs: 100,
      heartbeatPongTimeoutMs: 40,
      heartbeatMaxMisses: 2,
      reconnectIntervalMs: 10_000,
    });
    const opened = Date.now();
    await vi.waitFor(() => expect(panel.state).toBe('live'));
    await vi.waitFor(() => expect(panel.stats.lastClose).toBe('no pong'), { timeout: 2000 });
    // Dead at the second missed ping: 2 × 100 + 40 ms after the open, give or take a timer tick.
    const elapsed = Date.now() - opened;
    expect(elapsed).toBeGreaterThanOrEqual(230);
    expect(elapsed).toBeLessThan(1500);
    expect(panel.state).toBe('waiting');
    expect(panel.screenText('network')).toMatch(/waiting \(retry in \d+\.\d s\)/);
  });

  it('stays connected to a quiet server that answers pings', async () => {
    const url = await fakeServer((socket) => socket.send(FRAME));
    const panel = start(url, { heartbeatIntervalMs: 50, heartbeatPongTimeoutMs: 30 });
    await vi.waitFor(() => expect(panel.state).toBe('live'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(panel.state).toBe('live');
    expect(panel.stats.drops).toBe(0);
  });

  it('grows the backoff while connections bring no valid frame, and resets on one', async () => {
    const limits = { reconnectIntervalMs: 40, reconnectMaxMs: 160, reconnectFactor: 2 };
    // Accepts the upgrade and drops it at once (a misbehaving proxy): the delay cap doubles.
    const dropping = await fakeServer((socket) => socket.terminate());
    const panel = start(dropping, limits);
    const delays: number[] = [];
    panel.onState((state, p) => {
      if (state === 'waiting') delays.push(p.stats.lastRetryDelayMs ?? -1);
    });
    await vi.waitFor(() => expect(delays.length).toBeGreaterThanOrEqual(4), { timeout: 3000 });
    expect(delays.slice(0, 4)).toEqual([20, 40, 80, 80]);

    // Sends one valid frame before dropping: every connection resets the counter.
    const healthy = await fakeServer((socket) => socket.send(FRAME, () => socket.terminate()));
    const resetting = start(healthy, limits);
    const resetDelays: number[] = [];
    resetting.onState((state, p) => {
      if (state === 'waiting') resetDelays.push(p.stats.lastRetryDelayMs ?? -1);
    });
    await vi.waitFor(() => expect(resetDelays.length).toBeGreaterThanOrEqual(3), {
      timeout: 3000,
    });
    expect(resetDelays.slice(0, 3)).toEqual([20, 20, 20]);
    expect(resetting.stats.connects).toBeGreaterThanOrEqual(3);
  });

  it('fails a connect that does not complete in time', async () => {
    // Upgrade requests are accepted by TCP and never answered.
    const held: Socket[] = [];
    const tcp = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise((resolve) => {
          for (const s of held) s.destroy();
          tcp.close(() => resolve());
        }),
    );
    const port = (tcp.address() as AddressInfo).port;
    const panel = start(`http://127.0.0.1:${port}`, {
      connectTimeoutMs: 100,
      reconnectIntervalMs: 10_000,
    });
    await vi.waitFor(() => expect(panel.stats.lastClose).toBe('connect timeout'), {
      timeout: 2000,
    });
    expect(panel.stats.connects).toBe(0);
  });
});
