/**
 * `marquee-sim tv`: a fleet of simulated signage TVs against a Marquee server, for load runs and
 * CI. Each TV is a `TvSimulator` (the SDK's device client on a real cache directory): it signs
 * in, registers under a serial number from `--prefix`, downloads its playlists, plays them and
 * acknowledges commands. `--playlist` gives every TV a front screen through the admin API (a
 * `demo` playlist of generated files, or an existing one), so the run exercises reloads,
 * downloads and acks too. A live status line on a terminal, plain lines elsewhere, a summary at
 * the end; the exit code is 1 when any TV failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSignageAdminClient, type SignageAdminClient } from '@marquee/sdk';
import { assignPlaylist, createDemoPlaylist } from '../tv/provision';
import type { TvStats } from '../tv/options';
import { TvSimulator } from '../tv/tv-simulator';
import { ExitCodes, type Command } from './command';
import {
  FLEET_OPTIONS,
  UsageError,
  fleetOptions,
  parseCommandLine,
  wholeNumber,
  type FleetOptions,
} from './options';
import { finishFleetRun, humanOutput } from './json-report';
import { EventLines, Progress, RateMeter } from './progress';
import { Ramp, formatElapsed, waitForStop } from './run-control';
import { StatusLine } from './status-line';

const MAX_TVS = 10_000;
const USERNAME_ENV = 'MARQUEE_SIM_USERNAME';
const PASSWORD_ENV = 'MARQUEE_SIM_PASSWORD';

const USAGE = `Usage: marquee-sim tv --server URL --username U --password P [options]

Simulated signage TVs (seed 002): each runs the SDK's device client (sign in,
register, playlists, downloads into a cache directory with MD5 checks, control
socket), plays its playlist and acknowledges commands. Exits 1 when a TV failed:
not online at the end, its start or screen assignment was refused, or a playlist
ended failed or partial.

Options:
  --server URL        the Marquee server, e.g. http://127.0.0.1:8000 (required)
  --username U        the account the TVs sign in with (or $${USERNAME_ENV})
  --password P        its password (or $${PASSWORD_ENV}, which keeps it out of ps)
  --count N           TVs to run, 1-${MAX_TVS} (default 1)
  --prefix P          serial numbers are P0001, P0002, ... (default SIM-TV-)
  --playlist ID|demo  give every TV a front screen playing playlist ID, or a demo
                      playlist of generated files made for this run (an admin account)
  --cache-dir DIR     cache each TV's media in DIR/<serial> (default: a temporary
                      directory, removed at the end)
  --duration S        stop after S seconds (default: run until Ctrl+C)
  --ramp S            spread the TVs' starts over S seconds (default 0)
  --junit FILE        also write the run as a JUnit XML report: one test per TV
  --json FILE         also write the run as a JSON report (counters, playlist
                      statuses, one result per TV); FILE - prints it on stdout
                      and the summary on stderr
  -h, --help          this help
`;

interface Options extends FleetOptions {
  readonly credentials: { readonly username: string; readonly password: string };
  readonly prefix: string;
  readonly playlist: number | 'demo' | undefined;
  readonly cacheDir: string | undefined;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...FLEET_OPTIONS,
      username: { type: 'string' },
      password: { type: 'string' },
      prefix: { type: 'string' },
      playlist: { type: 'string' },
      'cache-dir': { type: 'string' },
    },
  });
  if (values.help) return 'help';
  const fleet = fleetOptions(values, MAX_TVS);
  const username = values.username ?? process.env[USERNAME_ENV];
  const password = values.password ?? process.env[PASSWORD_ENV];
  if (!username || !password) {
    throw new UsageError(
      `--username and --password are required (or $${USERNAME_ENV} and $${PASSWORD_ENV})`,
    );
  }
  const prefix = values.prefix ?? 'SIM-TV-';
  if (!/^[\w.:-]{0,200}$/.test(prefix)) {
    throw new UsageError(`--prefix takes letters, digits and . _ : - only, not "${prefix}"`);
  }
  return {
    ...fleet,
    credentials: { username, password },
    prefix,
    playlist:
      values.playlist === undefined || values.playlist === 'demo'
        ? values.playlist
        : wholeNumber('playlist', values.playlist, 0, { min: 1, max: Number.MAX_SAFE_INTEGER }),
    cacheDir: values['cache-dir'],
  };
}

/** The playlist the TVs get, made or checked before they start. */
async function preparePlaylist(
  admin: SignageAdminClient,
  options: Options,
): Promise<{ id: number; line: string }> {
  const playlist =
    options.playlist === 'demo'
      ? await createDemoPlaylist(admin, `marquee-sim demo ${options.prefix}`.trim())
      : await admin.getPlaylist(options.playlist ?? 0);
  const what = options.playlist === 'demo' ? 'Demo playlist' : 'Playlist';
  return {
    id: playlist.id,
    line: `${what} ${playlist.id} "${playlist.name}": ${playlist.media_items.length} items, ${playlist.duration} s`,
  };
}

/** The counters of `TvStats` the fleet adds up. */
const SUMMED = [
  'received',
  'sent',
  'errors',
  'commands',
  'acks',
  'refused',
  'downloaded',
  'cached',
  'failedDownloads',
  'bytes',
  'plays',
] as const satisfies readonly (keyof TvStats)[];

type Totals = Record<(typeof SUMMED)[number] | 'online', number> & {
  /** How many TVs report each status of the playlist (`pending`: none yet). */
  statuses: Record<string, number>;
};

function totals(tvs: readonly TvSimulator[], playlistId: number | undefined): Totals {
  const sum = { online: 0, statuses: {} } as Totals;
  for (const key of SUMMED) sum[key] = 0;
  for (const tv of tvs) {
    const s = tv.stats;
    if (s.state === 'online') sum.online += 1;
    for (const key of SUMMED) sum[key] += s[key];
    if (playlistId !== undefined) {
      const status = s.playlists[playlistId] ?? 'pending';
      sum.statuses[status] = (sum.statuses[status] ?? 0) + 1;
    }
  }
  return sum;
}

/** Why a TV failed; undefined when it did not. */
function failure(tv: TvSimulator, assignError: string | undefined): string | undefined {
  const s = tv.stats;
  if (s.startError !== undefined) return `start refused: ${s.startError}`;
  if (assignError !== undefined) return `screen not assigned: ${assignError}`;
  const bad = Object.entries(s.playlists).filter(([, status]) =>
    ['failed', 'partial'].includes(status),
  );
  if (bad.length > 0) return bad.map(([id, status]) => `playlist ${id} ${status}`).join(', ');
  if (s.state !== 'online') return `${s.state}${s.lastError ? ` (${s.lastError})` : ''}`;
  return undefined;
}

async function run(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandLine('tv', USAGE, () => parseOptions(argv));
  if (!('options' in parsed)) return parsed.exitCode;
  const { options } = parsed;

  const width = Math.max(4, String(options.count).length);
  const serial = (i: number) => `${options.prefix}${String(i + 1).padStart(width, '0')}`;
  const out = humanOutput(options.jsonPath);
  out.write(
    `${options.count} TV${options.count === 1 ? '' : 's'} (${serial(0)}${options.count > 1 ? ` … ${serial(options.count - 1)}` : ''}) → ${options.server}\n`,
  );

  let admin: SignageAdminClient | undefined;
  let playlistId: number | undefined;
  if (options.playlist !== undefined) {
    admin = createSignageAdminClient({
      baseUrl: options.server,
      credentials: options.credentials,
    });
    try {
      const prepared = await preparePlaylist(admin, options);
      playlistId = prepared.id;
      out.write(`${prepared.line}\n`);
    } catch (error) {
      process.stderr.write(`marquee-sim tv: cannot prepare the playlist: ${describe(error)}\n`);
      return ExitCodes.failure;
    }
  }

  const cacheRoot = options.cacheDir ?? mkdtempSync(join(tmpdir(), 'marquee-sim-tv-'));
  const status = new StatusLine(out);
  const events = new EventLines(status);
  const tvs: TvSimulator[] = [];
  const assignErrors = new Map<TvSimulator, string>();
  const ramp = new Ramp(options.count, options.rampMs);
  const launch = async (tv: TvSimulator) => {
    try {
      await tv.start();
    } catch (error) {
      events.add(`${tv.snNumber}: start refused: ${describe(error)}`);
      return;
    }
    if (!admin || playlistId === undefined) return;
    try {
      await assignPlaylist(admin, tv.snNumber, playlistId);
    } catch (error) {
      assignErrors.set(tv, describe(error));
      events.add(`${tv.snNumber}: screen not assigned: ${describe(error)}`);
    }
  };
  for (let i = 0; i < options.count; i++) {
    const tv = new TvSimulator({
      server: options.server,
      credentials: options.credentials,
      snNumber: serial(i),
      cacheDir: join(cacheRoot, serial(i)),
      logLimit: 20,
    });
    tv.onState((state) => {
      if (state === 'offline') events.add(`${tv.snNumber}: offline (${tv.stats.lastError ?? '?'})`);
    });
    tv.client.on('playlist-status', (s) => {
      if (s.status === 'failed' || s.status === 'partial') {
        const why = s.status === 'failed' ? (s.error ?? '?') : s.missing_files.join(', ');
        events.add(`${tv.snNumber}: playlist ${s.playlist_id} ${s.status}: ${why}`);
      }
    });
    tvs.push(tv);
    ramp.start(i, () => void launch(tv));
  }

  const startedAt = new Date();
  const started = startedAt.getTime();
  const rate = new RateMeter();
  const progress = new Progress(status, () => {
    const sum = totals(tvs, playlistId);
    const perSecond = rate.sample(sum.received + sum.sent);
    const ready =
      playlistId === undefined ? '' : ` · ready ${sum.statuses.ready ?? 0}/${options.count}`;
    return (
      `${formatElapsed(Date.now() - started)}  online ${sum.online}/${options.count} · ${perSecond.toFixed(1)} msg/s` +
      ` · errors ${sum.errors} · acked ${sum.acks}${ready} · plays ${sum.plays}`
    );
  }).start();

  const reason = await waitForStop(options.durationMs);
  ramp.cancel();
  progress.finish();

  const sum = totals(tvs, playlistId);
  const durationMs = Date.now() - started;
  const cases = tvs.map((tv) => ({
    name: tv.snNumber,
    failure: failure(tv, assignErrors.get(tv)),
  }));
  const failed = cases.filter((c) => c.failure !== undefined);
  await Promise.all(tvs.map((tv) => tv.stop()));
  if (options.cacheDir === undefined) rmSync(cacheRoot, { recursive: true, force: true });
  // Switched off, each TV logged the showing it cut short.
  const plays = tvs.reduce((n, tv) => n + tv.stats.plays, 0);

  const count = (key: string) => sum.statuses[key] ?? 0;
  const lines = [
    `\nStopped (${reason}) after ${formatElapsed(durationMs)}.`,
    `  TVs:           ${options.count - failed.length} ok, ${failed.length} failed (${sum.online} online at the end)`,
  ];
  if (playlistId !== undefined) {
    lines.push(
      `  playlists:     ${count('ready')} ready, ${count('partial')} partial, ${count('failed')} failed, ` +
        `${count('downloading')} downloading, ${count('pending')} not assigned yet (playlist ${playlistId})`,
    );
  }
  lines.push(
    `  downloads:     ${sum.downloaded} downloaded, ${sum.cached} from the cache, ${sum.failedDownloads} failed; ${(sum.bytes / 1024).toFixed(1)} KiB`,
    `  commands:      ${sum.commands} handled, ${sum.acks} acked, ${sum.refused} refused`,
    `  messages:      ${sum.received} received, ${sum.sent} sent`,
    `  proof of play: ${plays} showings logged`,
    `  errors:        ${sum.errors}`,
  );
  if (events.suppressed > 0) lines.push(`  (${events.suppressed} more TV events not shown)`);
  for (const { name, failure } of failed.slice(0, 5)) lines.push(`  failed ${name}: ${failure}`);
  if (failed.length > 5) lines.push(`  … and ${failed.length - 5} more failed TVs`);
  const run = {
    command: 'tv',
    startedAt,
    durationMs,
    stopReason: reason,
    cases,
    totals: { ...sum, plays },
  };
  return finishFleetRun(options, run, lines);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const tvCommand: Command = {
  name: 'tv',
  summary: 'simulated signage TVs (seed 002 device client, playlists, proof of play)',
  usage: USAGE,
  run,
};
