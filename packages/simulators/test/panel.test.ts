/**
 * The panel simulator against a real Marquee server (port 0, a fake system source): it subscribes
 * to the compact profile, shows what the panel shows, presses pause / stop, refuses frames over
 * its JSON budget without dropping the socket, and recovers from its fault switches.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PANEL_LIMITS, PanelSimulator, type PanelSimulatorOptions } from '../src/index';
import { startMarquee, type TestMarquee } from './helpers/marquee-server';

let marquee: TestMarquee;
let token: string;
const panels: PanelSimulator[] = [];

/** Short timers so faults play out in milliseconds; the budget stays the firmware's. */
const FAST = {
  reconnectIntervalMs: 50,
  reconnectMaxMs: 200,
  heartbeatIntervalMs: 100,
  heartbeatPongTimeoutMs: 50,
  connectTimeoutMs: 2000,
} as const;

function panel(options: Partial<PanelSimulatorOptions> = {}): PanelSimulator {
  const created = new PanelSimulator({ server: marquee.url, limits: FAST, ...options });
  panels.push(created);
  return created.start();
}

async function live(p: PanelSimulator): Promise<void> {
  await vi.waitFor(() => expect(p.state).toBe('live'), { timeout: 5000, interval: 20 });
}

beforeAll(async () => {
  // A fast sampler: a broadcast every 100 ms.
  marquee = await startMarquee({ sampleIntervalMs: 100, wsPingIntervalMs: 200 });
  token = await marquee.login();
  await marquee.playSession(token, {
    session_id: 'abc123-unique-id',
    title: 'The Matrix',
    username: 'John',
    current_time: 2402,
    duration: 6000,
    state: 'playing',
  });
});

afterEach(async () => {
  await Promise.all(panels.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await marquee.close();
});

describe('PanelSimulator against a real server', () => {
  it('takes its limits from firmware/esp32/limits.json', () => {
    expect(PANEL_LIMITS.jsonBudgetBytes).toBe(1024);
    expect(PANEL_LIMITS.heartbeatIntervalMs).toBe(15_000);
    expect(PANEL_LIMITS.heartbeatPongTimeoutMs).toBe(3000);
    expect(PANEL_LIMITS.heartbeatMaxMisses).toBe(2);
    expect(PANEL_LIMITS.reconnectIntervalMs).toBe(5000);
    expect(new PanelSimulator({ server: 'http://x' }).limits).toEqual(PANEL_LIMITS);
  });

  it('subscribes to the compact profile and shows the session, moving', async () => {
    const p = panel();
    const snapshots: number[] = [];
    p.onSnapshot((frame) => snapshots.push(frame.ts));
    await live(p);
    expect(p.received[0]?.text).toContain('"ts":');
    expect(p.received.every((r) => r.bytes <= 1024 && r.accepted)).toBe(true);
    expect(snapshots.length).toBeGreaterThan(0);
    expect(p.selected).toMatchObject({ id: 'abc123-unique-id', title: 'The Matrix', user: 'John' });

    const text = p.screenText();
    expect(text).toMatch(
      /^NOW PLAYING {2}1\/1\n▶ The Matrix — John {2}40:0\d\/1:40:00\n\[#{8}\.{12}\] 40\.\d%$/,
    );
    const first = p.progress()?.posMs ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(p.progress()?.posMs).toBeGreaterThan(first + 200);
    expect(p.progress()?.moving).toBe(true);

    expect(p.screenText('system')).toBe(
      'SYSTEM\ncpu 23.4%  temp 54.2 °C\nram 42.1%  disk 77.9%\ndown 0 b/s  up 0 b/s',
    );
    expect(p.screenText('network')).toMatch(
      /^NETWORK\nserver 127\.0\.0\.1:\d+ live\nconnections 1, drops 0\nframes \d+ ok, 0 rejected\nlast frame \d+ bytes$/,
    );
    p.swipe('left');
    expect(p.page).toBe('system');
    p.swipe('right');
    p.swipe('right');
    expect(p.page).toBe('network');
  });

  it('refuses frames over its JSON budget as the device would, and keeps the socket', async () => {
    const p = panel({ limits: { ...FAST, jsonBudgetBytes: 64 } });
    const refused: string[] = [];
    p.onReject((frame) => refused.push(frame.error ?? ''));
    await vi.waitFor(() => expect(p.rejected).toBeGreaterThanOrEqual(3), { timeout: 5000 });
    expect(refused.every((code) => code === 'too_large')).toBe(true);
    expect(p.frame).toBeUndefined();
    expect(p.state).toBe('open'); // connected, but never live: nothing valid arrived
    expect(p.stats.drops).toBe(0);
    expect(p.screenText('network')).toContain('(last: message over the byte budget at $)');
  });

  it('presses pause (no player: 409 PLAYER_NOT_CONNECTED) and stop (falls back to /stop)', async () => {
    await marquee.playSession(token, {
      session_id: 'to-stop',
      title: 'Alien',
      current_time: 10,
      duration: 7000,
      state: 'paused',
    });
    const p = panel({ controlToken: token });
    await vi.waitFor(() => expect(p.select('to-stop')).toBe(true), { timeout: 5000 });

    const pause = await p.press('pause');
    expect(pause.outcome).toMatchObject({
      status: 'failed',
      code: 'PLAYER_NOT_CONNECTED',
      httpStatus: 409,
    });
    expect(p.screenText()).toContain('Pause failed: PLAYER_NOT_CONNECTED');

    const stop = await p.press('stop');
    expect(stop.outcome).toEqual({ status: 'acked', route: 'stop' });
    expect(p.screenText()).toContain('Stopped');
    await vi.waitFor(() => expect(p.frame?.sessions.some((s) => s.id === 'to-stop')).toBe(false));
  });

  it('cannot control without a user token, and lets a hook answer a press', async () => {
    const p = panel();
    await live(p);
    expect((await p.press('pause')).outcome).toEqual({ status: 'failed', code: 'NO_CREDENTIALS' });
    const seen: string[] = [];
    p.onCommand((command) => {
      seen.push(`${command.action} ${command.sessionId}`);
      return { status: 'timeout' };
    });
    expect((await p.press('resume')).outcome).toEqual({ status: 'timeout' });
    expect(seen).toEqual(['resume abc123-unique-id']);
    expect(p.screenText()).toContain('Resume timed out');
  });

  it('reconnects after dropConnection() with the firmware policy', async () => {
    const p = panel();
    await live(p);
    p.dropConnection();
    await vi.waitFor(() => expect(p.stats.drops).toBe(1), { timeout: 2000 });
    await live(p);
    expect(p.stats.connects).toBe(2);
    expect(p.screenText('network')).toContain('connections 2, drops 1 (last: closed)');
  });

  it('freeze(): the server drops the silent panel; unfreeze() reconnects', async () => {
    const p = panel();
    await live(p);
    const before = marquee.server.gateway.stats().deadPeersTerminated;
    p.freeze();
    const frames = p.stats.framesOk;
    // The server pings every 200 ms and terminates a socket that missed one.
    await vi.waitFor(
      () => expect(marquee.server.gateway.stats().deadPeersTerminated).toBeGreaterThan(before),
      { timeout: 3000 },
    );
    expect(p.stats.framesOk).toBe(frames);
    p.unfreeze();
    await vi.waitFor(() => expect(p.stats.connects).toBe(2), { timeout: 5000 });
  });
});
