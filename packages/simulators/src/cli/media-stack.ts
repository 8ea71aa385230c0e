/**
 * `marquee-sim media-stack`: a fake media stack for a development Marquee — Plex, Tautulli,
 * Overseerr, qBittorrent, Sonarr, Radarr and Prowlarr on free ports, answering the recorded
 * shapes Marquee's adapters are tested with. Prints the environment that points Marquee at them;
 * `--down`, `--slow`, `--unauthorized` and `--malformed` start the named upstreams in that failure
 * mode, and commands on stdin (`plex down`, `all ok`, `status`; media-stack-control.ts) switch
 * them while it runs. Prints a summary on Ctrl+C (SIGINT) or SIGTERM.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startFakeMediaStack, type FakeMode, type FakeUpstream } from '../media-stack';
import { ExitCodes, type Command } from './command';
import { CONTROL_HELP, applyControlLine } from './media-stack-control';
import { UsageError, parseCommandLine } from './options';
import { formatElapsed as duration, waitForStopSignal } from './run-control';

const UPSTREAMS = [
  'plex',
  'tautulli',
  'overseerr',
  'qbittorrent',
  'sonarr',
  'radarr',
  'prowlarr',
] as const;
type Upstream = (typeof UPSTREAMS)[number];

const USAGE = `Usage: marquee-sim media-stack [options]

A fake media stack: Plex, Tautulli, Overseerr, qBittorrent, Sonarr, Radarr and
Prowlarr, each on a free port. Stop it with Ctrl+C.

Options:
  --host H                 address to listen on (default 127.0.0.1)
  --down LIST              upstreams that cut every connection (e.g. plex,sonarr)
  --slow LIST              upstreams that answer after 3 s
  --unauthorized LIST      upstreams that refuse the credentials (401)
  --malformed LIST         upstreams that answer HTML where JSON belongs
  -h, --help               this help

LIST is a comma-separated list of: ${UPSTREAMS.join(', ')}

${CONTROL_HELP}`;

const ENV_NAMES: Record<string, string> = {
  plexUrl: 'MARQUEE_PLEX_URL',
  plexToken: 'MARQUEE_PLEX_TOKEN',
  overseerrUrl: 'MARQUEE_OVERSEERR_URL',
  overseerrApiKey: 'MARQUEE_OVERSEERR_API_KEY',
  qbittorrentUrl: 'MARQUEE_QBITTORRENT_URL',
  qbittorrentUsername: 'MARQUEE_QBITTORRENT_USERNAME',
  qbittorrentPassword: 'MARQUEE_QBITTORRENT_PASSWORD',
  sonarrUrl: 'MARQUEE_SONARR_URL',
  sonarrApiKey: 'MARQUEE_SONARR_API_KEY',
  tautulliUrl: 'MARQUEE_TAUTULLI_URL',
  tautulliApiKey: 'MARQUEE_TAUTULLI_API_KEY',
  radarrUrl: 'MARQUEE_RADARR_URL',
  radarrApiKey: 'MARQUEE_RADARR_API_KEY',
  prowlarrUrl: 'MARQUEE_PROWLARR_URL',
  prowlarrApiKey: 'MARQUEE_PROWLARR_API_KEY',
};

interface Options {
  readonly host: string;
  readonly modes: ReadonlyMap<Upstream, FakeMode>;
}

function upstreamList(name: string, value: string | undefined): Upstream[] {
  if (value === undefined) return [];
  const names = value.split(',').map((part) => part.trim());
  for (const each of names) {
    if (!(UPSTREAMS as readonly string[]).includes(each)) {
      throw new UsageError(`--${name}: unknown upstream "${each}"`);
    }
  }
  return names as Upstream[];
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      host: { type: 'string' },
      down: { type: 'string' },
      slow: { type: 'string' },
      unauthorized: { type: 'string' },
      malformed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const modes = new Map<Upstream, FakeMode>();
  for (const mode of ['down', 'slow', 'unauthorized', 'malformed'] as const) {
    for (const upstream of upstreamList(mode, values[mode])) modes.set(upstream, mode);
  }
  return { host: values.host ?? '127.0.0.1', modes };
}

async function run(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandLine('media-stack', USAGE, () => parseOptions(argv));
  if (!('options' in parsed)) return parsed.exitCode;
  const { options } = parsed;
  let stack;
  try {
    stack = await startFakeMediaStack({ host: options.host });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`marquee-sim media-stack: cannot listen on ${options.host}: ${message}\n`);
    return ExitCodes.failure;
  }
  const fakes: Record<Upstream, FakeUpstream> = {
    plex: stack.plex,
    tautulli: stack.tautulli,
    overseerr: stack.overseerr,
    qbittorrent: stack.qbittorrent,
    sonarr: stack.sonarr,
    radarr: stack.radarr,
    prowlarr: stack.prowlarr,
  };
  for (const [upstream, mode] of options.modes) fakes[upstream].mode = mode;
  const started = Date.now();
  process.stdout.write(
    `Fake media stack:\n` +
      UPSTREAMS.map(
        (name) => `  ${name.padEnd(12)} ${fakes[name].url} (${fakes[name].mode})\n`,
      ).join('') +
      `\nPoint Marquee at it:\n` +
      Object.entries(stack.config)
        .map(([key, value]) => `  export ${ENV_NAMES[key] ?? key}=${value}\n`)
        .join('') +
      `\nType "help" for live commands (e.g. "plex down", "all ok"). Ctrl+C to stop.\n`,
  );
  // Live mode switches, one command a line; stdin closing (a pipe, /dev/null) changes nothing.
  const commands = createInterface({ input: process.stdin, terminal: false });
  commands.on('line', (line) => {
    const result = applyControlLine(line, fakes);
    if ('error' in result) process.stderr.write(`${result.error}\n`);
    else process.stdout.write(result.out);
  });
  const signal = await waitForStopSignal();
  commands.close();
  await stack.close();
  const hits = UPSTREAMS.map(
    (name) => `${name} ${[...fakes[name].hits.values()].reduce((a, b) => a + b, 0)}`,
  ).join(', ');
  process.stdout.write(
    `\nStopped (${signal}) after ${duration(Date.now() - started)}: requests ${hits}\n`,
  );
  return ExitCodes.ok;
}

export const mediaStackCommand: Command = {
  name: 'media-stack',
  summary:
    'a fake Plex, Tautulli, Overseerr, qBittorrent, Sonarr, Radarr and Prowlarr for the media-stack dashboard',
  usage: USAGE,
  run,
};
