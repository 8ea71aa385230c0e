/**
 * `marquee-sim docker`: a fake Docker Engine on a Unix socket for a development Marquee's
 * monitoring services — containers listed, inspected, with stats, restartable. Prints the
 * environment that points Marquee at it; logs a summary on Ctrl+C (SIGINT) or SIGTERM.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  startFakeDockerEngine,
  type FakeContainerHealth,
  type FakeContainerSpec,
  type FakeContainerState,
} from '../docker/fake-docker-engine';
import { ExitCodes, type Command } from './command';
import { UsageError, parseCommandLine } from './options';
import { formatElapsed as duration, waitForStopSignal } from './run-control';

const STATES: readonly FakeContainerState[] = ['running', 'exited', 'restarting', 'paused', 'dead'];
const HEALTHS: readonly FakeContainerHealth[] = ['healthy', 'unhealthy', 'starting'];

const USAGE = `Usage: marquee-sim docker [options]

A fake Docker Engine API on a Unix socket. Stop it with Ctrl+C.

Options:
  --socket PATH            where to create the socket (default ./docker.sock)
  --containers LIST        containers, comma-separated, each NAME[:STATE][:HEALTH]
                           (default plex:running:healthy,sonarr,radarr:exited)
  -h, --help               this help

STATE is one of ${STATES.join(', ')}; HEALTH one of ${HEALTHS.join(', ')} (none when left out).
`;

interface Options {
  readonly socket: string;
  readonly containers: readonly FakeContainerSpec[];
}

export function parseContainers(list: string): FakeContainerSpec[] {
  const specs = list
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part): FakeContainerSpec => {
      const [name = '', ...rest] = part.split(':');
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/.test(name)) {
        throw new UsageError(`--containers: "${name}" is not a container name`);
      }
      let state: FakeContainerState = 'running';
      let health: FakeContainerHealth = 'none';
      for (const word of rest) {
        if ((STATES as readonly string[]).includes(word)) state = word as FakeContainerState;
        else if ((HEALTHS as readonly string[]).includes(word))
          health = word as FakeContainerHealth;
        else throw new UsageError(`--containers: unknown state or health "${word}" for ${name}`);
      }
      return { name, state, health, ...(state === 'exited' ? { exitCode: 1 } : {}) };
    });
  if (specs.length === 0) throw new UsageError('--containers: no container given');
  return specs;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      socket: { type: 'string' },
      containers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  return {
    socket: resolve(values.socket ?? 'docker.sock'),
    containers: parseContainers(values.containers ?? 'plex:running:healthy,sonarr,radarr:exited'),
  };
}

async function run(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandLine('docker', USAGE, () => parseOptions(argv));
  if (!('options' in parsed)) return parsed.exitCode;
  const { options } = parsed;
  let engine;
  try {
    engine = await startFakeDockerEngine({
      socketPath: options.socket,
      containers: options.containers,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`marquee-sim docker: cannot listen on ${options.socket}: ${message}\n`);
    return ExitCodes.failure;
  }
  const started = Date.now();
  process.stdout.write(
    `Fake Docker Engine:\n` +
      engine.containers
        .map(
          (c) =>
            `  ${c.name.padEnd(16)} ${c.state}${c.health === 'none' ? '' : ` (${c.health})`}\n`,
        )
        .join('') +
      `\nPoint Marquee at it:\n  export MARQUEE_DOCKER_SOCKET=${options.socket}\n\nCtrl+C to stop.\n`,
  );
  const signal = await waitForStopSignal();
  await engine.close();
  const restarts = engine.containers.reduce((sum, c) => sum + c.restartCount, 0);
  process.stdout.write(
    `\nStopped (${signal}) after ${duration(Date.now() - started)}: requests ${engine.requests.length}, restarts ${restarts}\n`,
  );
  return ExitCodes.ok;
}

export const dockerCommand: Command = {
  name: 'docker',
  summary: 'a fake Docker Engine on a Unix socket for the monitoring services',
  usage: USAGE,
  run,
};
