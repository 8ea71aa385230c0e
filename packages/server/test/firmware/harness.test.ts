/**
 * The ESP32 panel's core against a real server: `firmware/esp32/build-host/marquee-harness` (the
 * firmware's C core plus a POSIX WebSocket client, built by `npm run firmware:build`) connects to
 * `/api/dashboard/ws?profile=compact` of a server started here, and prints the screen it would
 * draw. Sessions are posted through the REST API; stdin lines stand in for the touch screen.
 *
 * Without the binary the suite is skipped with a message, except in CI (`CI` set), where the test
 * chain builds it first, so a missing binary fails.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Socket, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPlayerClient, protocol, type PlayerClient } from '@marquee/sdk';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const binary = join(repoRoot, 'firmware/esp32/build-host/marquee-harness');
const built = existsSync(binary);

const { CompactSnapshot } = protocol.nowPlaying;

/** One running harness: its output so far, and a way to type into it. */
class Harness {
  output = '';
  readonly #child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.#child = spawn(binary, ['--max-seconds', '60', ...args], {
      env: { ...process.env, ASAN_OPTIONS: 'halt_on_error=1:abort_on_error=1:detect_leaks=1' },
    });
    this.#child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.#child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
  }

  /** Types a line, as a tap on the screen would trigger it. */
  send(line: string): void {
    this.#child.stdin.write(`${line}\n`);
  }

  /** Waits until the output after `from` matches, and returns the index just past the match. */
  async waitFor(pattern: RegExp | string, from = 0, timeout = 10_000): Promise<number> {
    return vi.waitFor(
      () => {
        const tail = this.output.slice(from);
        const index = typeof pattern === 'string' ? tail.indexOf(pattern) : tail.search(pattern);
        if (index < 0) throw new Error(`no ${String(pattern)} in:\n${this.output}`);
        const length =
          typeof pattern === 'string' ? pattern.length : (tail.match(pattern)?.[0].length ?? 0);
        return from + index + length;
      },
      { timeout, interval: 25 },
    );
  }

  /** The last screen of page `page` printed so far. */
  lastScreen(page: string): string {
    const start = this.output.lastIndexOf(`=== screen: ${page} `);
    if (start < 0) return '';
    const end = this.output.indexOf('=== end ===', start);
    return this.output.slice(start, end < 0 ? undefined : end);
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

/**
 * A TCP proxy between the harness and the server that the test can cut (a proxy restart) or
 * turn into a black hole (a half-open path: sockets stay up, nothing gets through).
 */
class FlakyProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  blackhole = false;
  port = 0;

  constructor(targetPort: number) {
    this.#server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.#sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (data: Buffer) => {
        if (!this.blackhole) upstream.write(data);
      });
      upstream.on('data', (data: Buffer) => {
        if (!this.blackhole) client.write(data);
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this.port;
  }

  /** Drops every connection, as a restarting proxy or a Wi-Fi hiccup does. */
  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

if (!built && process.env.CI) {
  describe('ESP32 panel harness', () => {
    it('is built by the test chain', () => {
      expect.fail(`${binary} is missing: the CI test chain runs "npm run firmware:build" first`);
    });
  });
} else if (!built) {
  console.warn(
    `skipping the ESP32 panel harness tests: ${binary} is not built (run "npm run firmware:build")`,
  );
}

describe.skipIf(!built)('ESP32 panel harness against a real server', () => {
  let t: TestServer;
  let media: string;
  let token: string;
  const harnesses: Harness[] = [];
  const cleanups: Array<() => unknown> = [];

  beforeAll(async () => {
    media = mkdtempSync(join(tmpdir(), 'marquee-panel-media-'));
    mkdirSync(join(media, 'Movies', 'Spirited Away (2001)'), { recursive: true });
    const poster = await sharp({
      create: { width: 600, height: 900, channels: 3, background: '#35506b' },
    })
      .jpeg({ progressive: true }) // the server must turn it into a baseline thumbnail
      .toBuffer();
    writeFileSync(join(media, 'Movies', 'Spirited Away (2001)', 'poster.jpg'), poster);
    t = await startTestServer({ mediaRoots: [media] });
    token = await login(t.url);
  });

  afterEach(async () => {
    for (const harness of harnesses.splice(0)) harness.kill();
    for (const cleanup of cleanups.splice(0)) await cleanup();
    // Each test starts from an empty list of sessions.
    const snap = await call(`${t.url}/api/dashboard/now-playing`, { token });
    for (const s of (snap.body as { sessions: Array<{ session_id: string }> }).sessions) {
      await call(`${t.url}/api/dashboard/session/${s.session_id}/stop`, { method: 'POST', token });
    }
  });

  afterAll(async () => {
    await t.close();
    rmSync(media, { recursive: true, force: true });
  });

  function harness(...args: string[]): Harness {
    const h = new Harness(['--host', '127.0.0.1', '--port', new URL(t.url).port, ...args]);
    harnesses.push(h);
    return h;
  }

  async function play(session: Record<string, unknown>): Promise<void> {
    const res = await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: { current_time: 1234, duration: 8160, state: 'playing', ...session },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }

  /** The compact frame the server serves right now (REST, same renderer as the socket). */
  async function compactNow(): Promise<protocol.nowPlaying.CompactSnapshot> {
    const res = await call(`${t.url}/api/dashboard/now-playing?profile=compact`, { token });
    return CompactSnapshot.parse(res.body);
  }

  it('draws the session posted through the REST API, poster and system stats included', async () => {
    await play({
      session_id: 'spirited-away',
      title: '千と千尋の神隠し Spirited Away (2001) — Studio Ghibli, digitally remastered 🎬',
      poster_url: join(media, 'Movies', 'Spirited Away (2001)', 'poster.jpg'),
    });
    // The server resolves the poster's thumbnail URL after the update; wait for it.
    const frame = await vi.waitFor(async () => {
      const now = await compactNow();
      expect(now.sessions[0]?.thumb).toBeTruthy();
      return now;
    });
    const session = frame.sessions[0];
    if (!session) throw new Error('no session');
    expect(Buffer.byteLength(session.title)).toBeLessThanOrEqual(48);

    const h = harness('--fetch-posters', '--all-pages');
    await h.waitFor(`title: ${session.title}\n`);
    const now = h.lastScreen('now playing');
    expect(now).toContain('NOW PLAYING  1/1');
    expect(now).toContain('user: admin');
    expect(now).toContain('state: playing');
    expect(now).toMatch(/progress: 20:\d\d \/ 2:16:00 \[#*\.*\] 15\.\d%/);
    expect(now).toContain(`poster: ${session.thumb}`);
    // The thumbnail endpoint turned a progressive 600x900 poster into a baseline 150x225 JPEG.
    await h.waitFor(
      new RegExp(
        `poster ${escapeRegExp(session.thumb ?? '')}: baseline JPEG, SOF0 150x225, 3 components`,
      ),
    );
    const system = h.lastScreen('system');
    expect(system).toContain('cpu: 23.4%');
    expect(system).toContain('temp: 54.2 °C');
    expect(system).toContain('ram: 42.1%');
    const network = h.lastScreen('network');
    expect(network).toMatch(/server: 127\.0\.0\.1:\d+ live/);
    expect(network).toContain('frames: ');
    expect(network).toContain('0 rejected');
    expect(h.output).not.toContain('rejected frame');
  });

  it('shows a title with a lone surrogate, which JSON.stringify escapes and cJSON refuses', async () => {
    await play({ session_id: 'broken', title: `Broken ${'😀'.slice(0, 1)} emoji` });
    const h = harness();
    await h.waitFor('title: Broken \uFFFD emoji\n');
    expect(h.output).not.toContain('rejected frame');
  });

  it('lists four sessions, counts the rest, and swipes between them and the pages', async () => {
    for (let i = 1; i <= 6; i++) {
      await play({ session_id: `episode-${i}`, title: `Episode ${i}`, username: `user${i}` });
    }
    const h = harness();
    await h.waitFor(/NOW PLAYING {2}1\/4 \(\+2 more\)/);
    const first = /title: (Episode \d)/.exec(h.lastScreen('now playing'))?.[1];
    let mark = h.output.length;
    h.send('swipe up');
    mark = await h.waitFor(/NOW PLAYING {2}2\/4 \(\+2 more\)/, mark);
    expect(h.lastScreen('now playing')).not.toContain(`title: ${first}\n`);
    h.send('swipe left');
    mark = await h.waitFor('=== screen: system', mark);
    h.send('swipe left');
    mark = await h.waitFor('=== screen: network', mark);
    h.send('swipe left');
    await h.waitFor('=== screen: now playing', mark);
  });

  it('stops the session on the server from the panel (sign-in, no player, so the stop route)', async () => {
    await play({ session_id: 'movie-1', title: 'The Matrix' });
    const h = harness('--user', ADMIN.username, '--password', ADMIN.password);
    await h.waitFor('title: The Matrix\n');
    const mark = h.output.length;
    h.send('stop');
    await h.waitFor('command stop movie-1: pending', mark);
    await h.waitFor('command stop movie-1: acked (HTTP 200) Stopped', mark);
    expect((await compactNow()).sessions).toEqual([]);
    await h.waitFor('Nothing playing', mark);
  });

  it('pauses through the web player that plays the session, and shows the acknowledgement', async () => {
    await t.server.auth.createUser({
      username: 'viewer',
      password: 'viewer-password-1',
      role: 'operator',
    });
    const viewerToken = await login(t.url, 'viewer', 'viewer-password-1');
    const player: PlayerClient = createPlayerClient({
      baseUrl: t.url,
      token: () => viewerToken,
      network: false,
      backoff: { initialMs: 20, maxMs: 50 },
      updateIntervalMs: 60_000,
    });
    cleanups.push(() => player.close());
    const received: string[] = [];
    player.onControl((command) => {
      received.push(command.action);
    });
    const ready = new Promise((resolve) => player.once('ready', resolve));
    player.connect();
    await ready;
    const claimed = new Promise((resolve) => player.once('claimed', resolve));
    await player.startSession({
      session_id: 'movie-2',
      title: 'Alien',
      media_type: 'movie',
      duration: 7020,
      current_time: 600,
    });
    await claimed;

    // The admin's access token, configured as is (the firmware's MARQUEE_CONTROL_TOKEN).
    const h = harness('--token', token);
    await h.waitFor('title: Alien\n');
    const mark = h.output.length;
    h.send('pause');
    await h.waitFor('command pause movie-2: acked (HTTP 200) Paused', mark);
    expect(received).toEqual(['pause']);
    await h.waitFor('state: paused', mark);
    // A display that cannot control gets the server's reason, not silence.
    const mark2 = h.output.length;
    h.send('pause nobody-plays-this');
    await h.waitFor(
      'command pause nobody-plays-this: failed (HTTP 404) Pause failed: NOT_FOUND',
      mark2,
    );
  });

  it('reconnects after the proxy drops it, finds a black-holed path by its heartbeat, across the clock wrap', async () => {
    const proxy = new FlakyProxy(Number(new URL(t.url).port));
    const port = await proxy.listen();
    cleanups.push(() => proxy.close());
    await play({ session_id: 'movie-3', title: 'Heat' });
    const h = new Harness([
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--heartbeat',
      '300,200,2',
      '--backoff',
      '100,400',
      '--connect-timeout',
      '600',
      '--all-pages',
      // The 32-bit millisecond clock wraps about a second into the run, as millis() does after 49.7 days.
      '--clock-start',
      String(2 ** 32 - 1000),
    ]);
    harnesses.push(h);
    let mark = await h.waitFor('title: Heat\n');

    proxy.cut();
    mark = await h.waitFor(/disconnected \(closed: [^)]*\); retry in \d+ ms/, mark);
    mark = await h.waitFor('connected\n', mark);
    mark = await h.waitFor('title: Heat\n', mark);

    // Half-open: nothing gets through, no close either. Two missed pongs end it.
    proxy.blackhole = true;
    mark = await h.waitFor(/disconnected \(no pong: pongs stopped\)/, mark);
    // New connections hang in the handshake: the connect timeout ends them.
    mark = await h.waitFor(/disconnected \(connect timeout: took too long\)/, mark);
    proxy.blackhole = false;
    await h.waitFor('title: Heat\n', mark);
    const drops = Number(/drops: (\d+)/.exec(h.lastScreen('network'))?.[1]);
    expect(drops).toBeGreaterThanOrEqual(3);
    expect(h.output).not.toMatch(/runtime error|AddressSanitizer/);
  });

  it('quits cleanly on request, leak-free under AddressSanitizer', async () => {
    const h = harness();
    await h.waitFor('connected\n');
    h.send('quit');
    expect(await h.exited).toBe(0);
    expect(h.output).toContain('bye');
    expect(h.output).not.toMatch(/LeakSanitizer|AddressSanitizer|runtime error/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
