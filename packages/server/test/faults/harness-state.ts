/**
 * What the kill harness (kill-harness.ts) keeps across kills: its options, the model of what the
 * server acknowledged, and the figures. The drivers (harness-drivers.ts), the invariants
 * (harness-invariants.ts) and the process control (harness-process.ts) all work on one of these.
 */
import { existsSync } from 'node:fs';
import type { Finding } from './kill-harness-files';

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
  /** Largest upload in bytes (uploads are 2 kB to this). @default 200000 */
  readonly maxUploadBytes?: number;
  /** Progress lines. @default nothing */
  readonly log?: (line: string) => void;
  /** Ends the run after the iteration in progress (the final drain and checks still run). */
  readonly signal?: AbortSignal;
  /**
   * Runs the server's wall clock this many times faster than real time (libfaketime, the
   * monotonic clock left alone), continuous across restarts, so minute and hour roll-ups come
   * often; a third of the kills then wait for an hour boundary and land within a sample or two
   * after it, while the hour's roll-up is written. Needs libfaketime (`faketime`). @default 1
   */
  readonly clockSpeed?: number;
}

/** libfaketime, where Debian's `faketime` package puts it. */
export const LIBFAKETIME = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
].find((path) => existsSync(path));

/**
 * The server's wall clock as the harness follows it: real time, or with `speed` > 1 a clock
 * anchored at each start of the server (`anchor`) and running `speed` times faster. libfaketime
 * starts the child's clock at the anchor when it loads, a moment after the spawn, so the child's
 * clock is never ahead of `now()`; each start anchors a second past `now()`, so it never goes back.
 */
export class HarnessClock {
  private anchorWall = Date.now();
  private anchorReal = performance.now();

  constructor(readonly speed: number) {}

  /** The server's wall time in ms (an upper bound while accelerated). */
  now(): number {
    if (this.speed === 1) return Date.now();
    return this.anchorWall + (performance.now() - this.anchorReal) * this.speed;
  }

  /** The child's environment for a start now: libfaketime's absolute start and speed. */
  startEnv(): Record<string, string> {
    if (this.speed === 1) return {};
    if (LIBFAKETIME === undefined) {
      throw new Error(
        'clockSpeed needs libfaketime: apt-get install faketime (scripts/system-deps.sh)',
      );
    }
    const at = Math.ceil(this.now() / 1000) * 1000 + 1000;
    this.anchorWall = at;
    this.anchorReal = performance.now();
    const stamp = new Date(at)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, '');
    return {
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME: `@${stamp} x${this.speed}`,
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
      TZ: 'UTC',
    };
  }

  /** Real milliseconds until the server's clock reaches the next multiple of `stepMs`. */
  realMsUntilNext(stepMs: number): number {
    const now = this.now();
    return ((Math.floor(now / stepMs) + 1) * stepMs - now) / this.speed;
  }
}

export type WriteKind =
  'upload' | 'playlist' | 'command' | 'ack' | 'session' | 'settings' | 'history';
export const KINDS: readonly WriteKind[] = [
  'upload',
  'playlist',
  'command',
  'ack',
  'session',
  'settings',
  'history',
];

/** What the history tiers held at the end (the server's sampler wrote them during the run). */
export interface HistoryFigures {
  readonly seconds: number;
  readonly minutes: number;
  readonly hours: number;
  /**
   * Kills within a sample interval or two after a minute boundary of the server's clock (2 s of
   * it at real speed), where the minute's roll-up is written.
   */
  readonly killsAtRollup: number;
  /** The same after an hour boundary, where the hour's roll-up is written. */
  readonly killsAtHourRollup: number;
}

/** The model of what the server acknowledged, kept across kills. */
export interface Model {
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

const perKind = () => Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<WriteKind, number>;

export class HarnessState {
  readonly figures = {
    acknowledged: perKind(),
    cut: perKind(),
    refused: perKind(),
    checks: 0,
    kills: 0,
    startKills: 0,
    killsAtRollup: 0,
    killsAtHourRollup: 0,
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
  readonly clock: HarnessClock;

  constructor(readonly options: KillHarnessOptions) {
    this.clock = new HarnessClock(options.clockSpeed ?? 1);
  }

  /** Counts a check of kill-harness-files.ts: a finding is a failure. */
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
}

/** mulberry32: a small seeded generator, so a failing seed can be run again. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
