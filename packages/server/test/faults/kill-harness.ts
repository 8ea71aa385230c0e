/**
 * The kill harness (issue 18 §3): runs `marquee start` as a child process, drives writes at it
 * (media uploads, playlist edits, commands to a device that acknowledges them, Now Playing
 * sessions played and stopped, alert settings), SIGKILLs it at a random moment (seeded), checks
 * the data directory, starts it again and checks what it serves. Each iteration checks:
 *
 * - `PRAGMA integrity_check` is `ok` and `PRAGMA foreign_key_check` finds nothing (before the
 *   restart, on the files exactly as the kill left them);
 * - the server starts on them and answers `/healthz`;
 * - files and rows agree (after the start-up sweep): every media row's file exists with the row's
 *   size and MD5, no file in `signage/media/` without a row, nothing left in `signage/tmp/`;
 * - every upload answered 201 is there, with the MD5 of the bytes sent;
 * - every command answered 202 is stored; no command the store had as `acked` is delivered
 *   again; by the end every accepted command is acknowledged, and applied once by the device
 *   (which, like the SDK's device client, applies a `command_id` once);
 * - the playlist and the alert settings are the last acknowledged version or the one in flight
 *   at the kill, whole: never a mix, never older;
 * - every Now Playing stop answered 200 has its history row.
 *
 * No vitest import: `npm run faults` (scripts/faults.ts) runs it outside the test runner, and
 * test/faults/kill-harness.test.ts runs a few iterations in the unit suite.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import {
  ackedCommands,
  databaseChecks,
  md5,
  storedState,
  type Finding,
} from './kill-harness-files';

export interface KillHarnessOptions {
  /** Kills (and restarts) to run. */
  readonly iterations: number;
  /** Seeds the moments of the kills and the mix of writes. */
  readonly seed: number;
  /** An empty (or absent) data directory the harness owns. */
  readonly dataDir: string;
  /** How to start the server: the Node arguments before `start` (the built CLI, or tsx + source). */
  readonly serverArgs: readonly string[];
  /** The working directory of the server process. */
  readonly cwd: string;
  /** Longest time writes run before a kill. @default 1500 */
  readonly maxRunMs?: number;
  /** Progress lines. @default nothing */
  readonly log?: (line: string) => void;
  /** Ends the run after the iteration in progress (the final drain and checks still run). */
  readonly signal?: AbortSignal;
}

export interface KillHarnessFigures {
  /** Iterations run (fewer than asked when `signal` ended the run). */
  readonly iterations: number;
  readonly kills: number;
  /** Of the kills, those while the server was starting (migrations, the sweep). */
  readonly startKills: number;
  /** Writes answered with success, by kind. */
  readonly acknowledged: Record<WriteKind, number>;
  /** Writes answered with an error (never expected; a cause to look at), by kind. */
  readonly refused: Record<WriteKind, number>;
  /** Writes cut by a kill (sent, no answer), by kind. */
  readonly cut: Record<WriteKind, number>;
  /** Invariant checks made, in all. */
  readonly checks: number;
  /** Each broken invariant, with the iteration it was found in. */
  readonly failures: readonly string[];
  readonly durationMs: number;
}

type WriteKind = 'upload' | 'playlist' | 'command' | 'ack' | 'session' | 'settings';
const KINDS: readonly WriteKind[] = ['upload', 'playlist', 'command', 'ack', 'session', 'settings'];

const ADMIN = { username: 'admin', password: 'kill-harness-password' };
const SN = 'SN-KILL';
const API = '/api/v1/admin/cloud';

/** mulberry32: a small seeded generator, so a failing seed can be run again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A JPEG-looking payload (the server sniffs the first bytes) of `size` bytes. */
function jpeg(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17 + (i >> 7)) % 251;
  bytes[0] = 0xff;
  bytes[1] = 0xd8;
  bytes[2] = 0xff;
  bytes[3] = 0xe0;
  return bytes;
}

interface Server {
  readonly child: ChildProcessWithoutNullStreams;
  url: string;
  output: string;
}

/** The model of what the server acknowledged, kept across kills. */
interface Model {
  /** media id → MD5 of the bytes sent, for uploads answered 201. */
  readonly media: Map<number, string>;
  playlistId: number;
  /** Playlist versions: the last acknowledged and the one in flight at the kill. */
  playlistAcked: number;
  playlistInFlight: number | undefined;
  settingsAcked: number;
  settingsInFlight: number | undefined;
  /** Command ids answered 202. */
  readonly accepted: Set<string>;
  /** Command ids the device applied (a command is applied once, as the SDK's ledger does). */
  readonly applied: Set<string>;
  /** Session ids whose stop was answered 200. */
  readonly stopped: Set<string>;
  sessions: number;
  uploads: number;
}

class Harness {
  readonly figures = {
    acknowledged: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<WriteKind, number>,
    cut: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<WriteKind, number>,
    refused: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<WriteKind, number>,
    checks: 0,
    kills: 0,
    startKills: 0,
    failures: [] as string[],
  };
  readonly model: Model = {
    media: new Map(),
    playlistId: 0,
    playlistAcked: 0,
    playlistInFlight: undefined,
    settingsAcked: 0,
    settingsInFlight: undefined,
    accepted: new Set(),
    applied: new Set(),
    stopped: new Set(),
    sessions: 0,
    uploads: 0,
  };
  iteration = 0;

  constructor(readonly options: KillHarnessOptions) {}

  /** Counts a check of `databaseChecks` / `storedState`: a finding is a failure. */
  finding(found: Finding): void {
    this.check(found === undefined, found ?? '');
  }

  check(ok: boolean, what: string): void {
    this.figures.checks += 1;
    if (!ok) {
      const line = `iteration ${this.iteration}: ${what}`;
      this.figures.failures.push(line);
      this.options.log?.(`FAILED ${line}`);
    }
  }

  spawn(): Server {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (!key.startsWith('MARQUEE_') && !key.startsWith('DASHBOARD_AUTH_')) env[key] = value;
    }
    const child = spawn(process.execPath, [...this.options.serverArgs, 'start'], {
      cwd: this.options.cwd,
      // Its own process group: a Ctrl-C meant for the harness (which then stops after the kill
      // in progress) must not stop the server in the middle of an iteration.
      detached: true,
      env: {
        ...env,
        PORT: '0',
        HOST: '127.0.0.1',
        MARQUEE_DATA_DIR: this.options.dataDir,
        DASHBOARD_AUTH_USERNAME: ADMIN.username,
        DASHBOARD_AUTH_PASSWORD: ADMIN.password,
        // The writes come fast from one address; the limits are tested elsewhere.
        MARQUEE_RATE_LIMIT_EXEMPT_LOOPBACK: 'true',
        MARQUEE_STORAGE_RESERVE_BYTES: '0',
        LOG_LEVEL: 'warn',
      },
    });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const server: Server = { child, url: '', output: '' };
    const collect = (chunk: Buffer) => {
      server.output = (server.output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    return server;
  }

  async start(): Promise<Server> {
    const server = this.spawn();
    const { child } = server;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const match = /listening on (http:\/\/[^\s]+)/.exec(server.output);
      if (match?.[1]) {
        server.url = match[1];
        return server;
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the server did not start:\n${server.output}`);
      }
      await sleep(20);
    }
  }

  async kill(server: Server): Promise<void> {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGKILL');
    await exited;
    this.figures.kills += 1;
  }

  /**
   * A kill while the server starts (opening the database, migrations on a fresh directory, the
   * files sweep), `withinMs` at most after the spawn; then the database is checked.
   */
  async killDuringStart(rng: () => number, withinMs: number): Promise<void> {
    const server = this.spawn();
    await sleep(Math.floor(rng() * withinMs));
    if (server.child.exitCode === null) {
      await this.kill(server);
      this.figures.startKills += 1;
    }
    if (existsSync(join(this.options.dataDir, 'marquee.db'))) this.checkDatabase();
  }

  async request(
    server: Server,
    path: string,
    init: { method?: string; token?: string; body?: unknown; form?: FormData } = {},
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    let body: string | FormData | undefined = init.form;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${server.url}${path}`, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  }

  async token(server: Server): Promise<string> {
    const res = await this.request(server, '/api/v1/auth/token/', { body: ADMIN });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
    return (res.body as { access: string }).access;
  }

  playlistBody(version: number) {
    // The version is in the playlist's row (its name) and in every item row (n_time_play): a
    // playlist stored half old, half new shows as a mismatch.
    const ids = [...this.model.media.keys()].slice(0, 1 + (version % 3));
    return {
      name: `v${version}`,
      width: 1920,
      height: 1080,
      media_items: ids.map((media_id) => ({ media_id, n_time_play: 1 + (version % 5) })),
    };
  }

  static settingsBody(version: number) {
    const t = { warning: version % 90, critical: (version % 90) + 5 };
    return {
      thresholds: { cpu: t, memory: t, disk: t },
      notifications: { email: version % 2 === 0, desktop: true, minLevel: 'warning' },
    };
  }

  /** The first start: the device, its account and a playlist every later iteration edits. */
  async setup(server: Server): Promise<void> {
    const admin = await this.token(server);
    const device = {
      sn_number: SN,
      brand: 'Harness',
      model: 'TV',
      manufacturer: 'Harness',
      os_version: 'Android 11',
      screen_resolution: '1920x1080',
      total_storage: '32GB',
      free_storage: '20GB',
      mac_address: '00:1A:2B:3C:4D:5E',
      app_version: '1.0.0',
      ip_address: '192.168.1.100',
    };
    const registered = await this.request(server, `${API}/device/register/`, {
      token: admin,
      body: device,
    });
    if (registered.status !== 201) throw new Error(`register failed: ${registered.status}`);
    const playlist = await this.request(server, `${API}/playlists/`, {
      token: admin,
      body: this.playlistBody(0),
    });
    if (playlist.status !== 201) throw new Error(`playlist failed: ${playlist.status}`);
    this.model.playlistId = (playlist.body as { id: number }).id;
  }

  /** A device socket that acknowledges every command and applies each `command_id` once. */
  device(
    server: Server,
    token: string,
    ackedBefore: ReadonlySet<string>,
    duplicates: string[],
  ): Promise<WebSocket | undefined> {
    const url = `${server.url.replace(/^http/, 'ws')}/ws/cloud/tb_device/?token=${encodeURIComponent(token)}&sn_number=${SN}&acks=1`;
    const ws = new WebSocket(url);
    ws.on('message', (data: Buffer) => {
      let message: { action?: string; command_id?: string };
      try {
        message = JSON.parse(data.toString('utf8')) as typeof message;
      } catch {
        return;
      }
      const id = message.command_id;
      if (message.action === undefined || id === undefined) return;
      // A re-delivery of a command whose ack the kill cut is expected (the device applies a
      // command_id once); one whose ack the store had recorded is not.
      if (ackedBefore.has(id)) duplicates.push(id);
      this.model.applied.add(id);
      ws.send(JSON.stringify({ type: 'ack', command_id: id, ok: true }));
      this.figures.acknowledged.ack += 1;
    });
    ws.on('error', () => undefined);
    return new Promise((resolve) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', () => resolve(undefined));
    });
  }

  /** Writes until `stop` says so; each kind in its own loop, as separate clients would. */
  async load(server: Server, token: string, rng: () => number, stop: { now: boolean }) {
    const m = this.model;
    const guard = async (kind: WriteKind, write: () => Promise<boolean>) => {
      while (!stop.now) {
        try {
          if (await write()) this.figures.acknowledged[kind] += 1;
          else this.figures.refused[kind] += 1;
        } catch {
          // The kill cut it: no answer came.
          this.figures.cut[kind] += 1;
          return;
        }
      }
    };
    await Promise.all([
      guard('upload', async () => {
        m.uploads += 1;
        const bytes = jpeg(2000 + Math.floor(rng() * 200_000), m.uploads);
        const form = new FormData();
        form.append(
          'file',
          new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }),
          `u${m.uploads}.jpg`,
        );
        const res = await this.request(server, `${API}/media/`, { token, form });
        if (res.status !== 201) return false;
        m.media.set((res.body as { media_id: number }).media_id, md5(bytes));
        return true;
      }),
      guard('playlist', async () => {
        const version = m.playlistAcked + 1;
        m.playlistInFlight = version;
        const res = await this.request(server, `${API}/playlists/${m.playlistId}/`, {
          token,
          method: 'PUT',
          body: this.playlistBody(version),
        });
        if (res.status !== 200) return false;
        m.playlistAcked = version;
        m.playlistInFlight = undefined;
        return true;
      }),
      guard('command', async () => {
        const res = await this.request(server, `${API}/devices/${SN}/commands/`, {
          token,
          body: { command: { action: 'set_volume', volume: Math.floor(rng() * 100) } },
        });
        if (res.status !== 202) return false;
        for (const c of (res.body as { commands: { command_id: string }[] }).commands) {
          m.accepted.add(c.command_id);
        }
        return true;
      }),
      guard('session', async () => {
        m.sessions += 1;
        const id = `kill-${m.sessions}`;
        const played = await this.request(server, '/api/dashboard/session/update', {
          token,
          body: {
            session_id: id,
            title: 'Harness',
            current_time: 1,
            duration: 100,
            state: 'playing',
          },
        });
        if (played.status !== 200) return false;
        const stopped = await this.request(server, `/api/dashboard/session/${id}/stop`, {
          token,
          method: 'POST',
        });
        if (stopped.status !== 200) return false;
        m.stopped.add(id);
        return true;
      }),
      guard('settings', async () => {
        const version = m.settingsAcked + 1;
        m.settingsInFlight = version;
        const res = await this.request(server, '/api/v1/alerts/settings', {
          token,
          body: Harness.settingsBody(version),
        });
        if (res.status !== 200) return false;
        m.settingsAcked = version;
        m.settingsInFlight = undefined;
        return true;
      }),
    ]);
  }

  /** On the files as the kill left them, before anything opens them again. */
  checkDatabase(): void {
    for (const finding of databaseChecks(this.options.dataDir)) this.finding(finding);
  }

  /** After the restart (its sweep done): files and rows agree, acknowledged writes are there. */
  async checkServed(server: Server, token: string, ackedBefore: Set<string>): Promise<void> {
    const m = this.model;
    const health = await this.request(server, '/healthz');
    this.check(health.status === 200, `healthz answered ${health.status}`);

    const stored = storedState(this.options.dataDir);
    for (const finding of stored.fileFindings) this.finding(finding);
    for (const [id, sum] of m.media) {
      const row = stored.media.get(id);
      this.check(row === sum, `upload ${id} (answered 201) is ${row ? 'changed' : 'lost'}`);
    }
    for (const id of m.accepted) {
      this.check(stored.commands.has(id), `command ${id} (answered 202) is lost`);
    }
    for (const id of m.stopped) {
      this.check(stored.history.has(id), `session ${id} (stop answered 200) has no history row`);
    }
    // What the store had as acked must stay acked (never re-queued).
    for (const id of ackedBefore) {
      const state = stored.commands.get(id);
      this.check(state === 'acked', `command ${id} was acked, now ${state}`);
    }

    const playlist = await this.request(server, `${API}/playlists/${m.playlistId}/`, { token });
    const p = playlist.body as { name: string; media_items: { n_time_play: number }[] };
    const version = Number(p.name.slice(1));
    this.check(
      version === m.playlistAcked || version === m.playlistInFlight,
      `playlist is v${version}; acknowledged v${m.playlistAcked}, in flight v${m.playlistInFlight}`,
    );
    this.check(
      p.media_items.length <= 1 + (version % 3) &&
        p.media_items.every((item) => item.n_time_play === 1 + (version % 5)),
      `playlist v${version} is torn: ${JSON.stringify(p.media_items)}`,
    );
    if (version === m.playlistInFlight) m.playlistAcked = version;
    m.playlistInFlight = undefined;

    const settings = await this.request(server, '/api/v1/alerts/settings', { token });
    const s = settings.body as { thresholds: Record<string, { warning: number }> };
    const warnings = new Set(Object.values(s.thresholds).map((t) => t.warning));
    const expected = [m.settingsAcked, m.settingsInFlight]
      .filter((v): v is number => v !== undefined)
      .map((v) => v % 90);
    const [w] = [...warnings];
    // Before the first acknowledged write the defaults may still be there (their thresholds differ).
    const defaults = m.settingsAcked === 0 && !expected.includes(w ?? -1);
    if (!defaults) {
      this.check(warnings.size === 1, `alert settings torn: ${JSON.stringify(s.thresholds)}`);
      this.check(
        expected.includes(w ?? -1),
        `alert settings at ${w}; acknowledged ${m.settingsAcked}, in flight ${m.settingsInFlight}`,
      );
    }
    if (m.settingsInFlight !== undefined && w === m.settingsInFlight % 90) {
      m.settingsAcked = m.settingsInFlight;
    }
    m.settingsInFlight = undefined;
  }

  ackedInStore(): Set<string> {
    return ackedCommands(this.options.dataDir);
  }

  async run(): Promise<KillHarnessFigures> {
    const began = performance.now();
    const rng = random(this.options.seed);
    const maxRunMs = this.options.maxRunMs ?? 1500;
    // The first start on an empty directory creates the database: kill it there first.
    for (let i = 0; i < 2; i++) await this.killDuringStart(rng, 1500);
    let server = await this.start();
    await this.setup(server);
    let done = 0;
    for (this.iteration = 1; this.iteration <= this.options.iterations; this.iteration++) {
      if (this.options.signal?.aborted === true) break;
      const token = await this.token(server);
      const duplicates: string[] = [];
      const ackedBefore = this.ackedInStore();
      const ws = await this.device(server, token, ackedBefore, duplicates);
      const stop = { now: false };
      const load = this.load(server, token, rng, stop);
      await sleep(50 + Math.floor(rng() * maxRunMs));
      stop.now = true;
      await this.kill(server);
      ws?.terminate();
      await load;
      this.check(
        duplicates.length === 0,
        `commands delivered after their ack was stored: ${duplicates.join(', ')}`,
      );
      this.checkDatabase();
      if (rng() < 0.25) await this.killDuringStart(rng, 1500);
      server = await this.start();
      await this.checkServed(server, await this.token(server), ackedBefore);
      done = this.iteration;
      this.options.log?.(
        `kill ${this.iteration}/${this.options.iterations}: ${this.figures.checks} checks, ${this.figures.failures.length} failures`,
      );
    }
    // The end: the device drains its queue; every accepted command is acknowledged, once.
    const token = await this.token(server);
    const duplicates: string[] = [];
    const ws = await this.device(server, token, this.ackedInStore(), duplicates);
    const deadline = Date.now() + 30_000;
    while (
      Date.now() < deadline &&
      [...this.model.accepted].some((id) => !this.ackedInStore().has(id))
    ) {
      await sleep(100);
    }
    const acked = this.ackedInStore();
    for (const id of this.model.accepted) {
      this.check(acked.has(id), `command ${id} (answered 202) never acknowledged`);
      this.check(this.model.applied.has(id), `command ${id} never reached the device`);
    }
    this.check(
      duplicates.length === 0,
      `commands delivered again after their ack: ${duplicates.join(', ')}`,
    );
    ws?.terminate();
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
    return {
      iterations: done,
      kills: this.figures.kills,
      startKills: this.figures.startKills,
      acknowledged: this.figures.acknowledged,
      cut: this.figures.cut,
      refused: this.figures.refused,
      checks: this.figures.checks,
      failures: this.figures.failures,
      durationMs: Math.round(performance.now() - began),
    };
  }
}

export function runKillHarness(options: KillHarnessOptions): Promise<KillHarnessFigures> {
  return new Harness(options).run();
}

/** The figures as the harness prints them. */
export function formatFigures(f: KillHarnessFigures): string {
  const kinds = KINDS.map((k) => `${k} ${f.acknowledged[k]} (${f.cut[k]} cut)`).join(', ');
  return [
    `iterations ${f.iterations}, kills ${f.kills} (${f.startKills} while starting), ${Math.round(f.durationMs / 1000)} s`,
    `writes acknowledged (cut by a kill): ${kinds}`,
    `writes refused: ${KINDS.map((k) => `${k} ${f.refused[k]}`).join(', ')}`,
    `invariant checks ${f.checks}, failures ${f.failures.length}`,
    ...f.failures.map((line) => `  ${line}`),
  ].join('\n');
}
