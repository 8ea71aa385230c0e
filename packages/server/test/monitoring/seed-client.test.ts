/**
 * Seed 003's Python example client (test/fixtures/seed003-client.py, the seed's code with only its
 * hosts and ports replaced) run with python3 as a child process against `npm start` as the README
 * runs it, with MARQUEE_MONITORING_OPEN_READS (the client sends no token) and
 * MARQUEE_MONITORING_WS_PORT (it connects to a second port). It needs python3 with the `requests`
 * and `websockets` packages the seed imports; without them the test is skipped, saying which is
 * missing (Debian's python3-requests and python3-websockets, or `pip install requests websockets`).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanEnv, repoRoot } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'marquee-seed003-'));
const children: ChildProcessWithoutNullStreams[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The Python that has what the seed imports: Debian's (scripts/system-deps.sh installs
 * python3-requests and python3-websockets for it), else the `python3` on PATH.
 */
function findPython(): { python: string } | { why: string } {
  const whys: string[] = [];
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import requests, websockets'], { encoding: 'utf8' });
    if (probe.error !== undefined) whys.push(`${python}: ${probe.error.message}`);
    else if (probe.status === 0) return { python };
    else whys.push(`${python}: ${probe.stderr.trim().split('\n').at(-1) ?? ''}`);
  }
  return { why: whys.join('; ') };
}
const found = findPython();
const why = 'why' in found ? found.why : undefined;
const python = 'python' in found ? found.python : 'python3';
// On CI the packages are installed by scripts/system-deps.sh: missing there is a failure.
if (why !== undefined && process.env.CI === 'true') {
  throw new Error(
    `seed 003 Python client cannot run: ${why} (scripts/system-deps.sh installs python3-requests and python3-websockets)`,
  );
}
if (why !== undefined) console.warn(`seed 003 Python client skipped: ${why}`);

function collect(child: ChildProcessWithoutNullStreams): () => string {
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return () => output;
}

describe('seed 003 Python example client', () => {
  it.skipIf(why !== undefined)(
    'reads the history and the live metrics of `npm start` without a token',
    async () => {
      const server = spawn('npm', ['start', '--silent'], {
        cwd: repoRoot,
        env: cleanEnv({
          PORT: '0',
          HOST: '127.0.0.1',
          MARQUEE_DATA_DIR: join(dir, 'data'),
          LOG_LEVEL: 'info',
          MARQUEE_SAMPLE_INTERVAL_MS: '200',
          MARQUEE_MONITORING_OPEN_READS: 'true',
          MARQUEE_MONITORING_WS_PORT: '0',
        }),
      });
      children.push(server);
      const serverOutput = collect(server);
      const { url, wsPort } = await vi.waitFor(
        () => {
          const output = serverOutput();
          const main = /listening on (http:\/\/[^\s]+)/.exec(output)?.[1];
          const ws = /"port":(\d+)[^\n]*monitoring: WebSocket port listening/.exec(output)?.[1];
          if (main === undefined || ws === undefined) throw new Error(`not yet:\n${output}`);
          return { url: main, wsPort: ws };
        },
        { timeout: 120_000, interval: 200 },
      );
      // A few samples into the history first.
      await new Promise((resolve) => setTimeout(resolve, 1500));

      const script = readFileSync(
        join(repoRoot, 'packages/server/test/fixtures/seed003-client.py'),
        'utf8',
      )
        .replaceAll('localhost:3000', new URL(url).host)
        .replaceAll('localhost:3001', `127.0.0.1:${wsPort}`);
      const path = join(dir, 'client.py');
      writeFileSync(path, script);
      const end = new Date(Date.now() + 1000).toISOString();
      const start = new Date(Date.now() - 60_000).toISOString();
      const client = spawn(python, [path, start, end], { env: cleanEnv() });
      children.push(client);
      const clientOutput = collect(client);
      const exited = new Promise<number | null>((resolve) => client.once('exit', resolve));

      const history = await vi.waitFor(
        () => {
          const line = /^HISTORY (.*)$/m.exec(clientOutput())?.[1];
          if (line === undefined) throw new Error(`no history yet:\n${clientOutput()}`);
          return JSON.parse(line) as { metrics: { cpu: { usage: number } }[]; resolution: string };
        },
        { timeout: 30_000, interval: 100 },
      );
      expect(history.resolution).toMatch(/^\d+s$/);
      expect(history.metrics.length).toBeGreaterThanOrEqual(2);
      expect(typeof history.metrics[0]?.cpu.usage).toBe('number');

      await vi.waitFor(
        () => {
          const lines = clientOutput().match(/^CPU Usage: [\d.]+%$/gm) ?? [];
          expect(lines.length, clientOutput()).toBeGreaterThanOrEqual(2);
          expect(clientOutput()).toMatch(/^Memory Usage: [\d.]+%$/m);
        },
        { timeout: 30_000, interval: 100 },
      );
      // The server stops: the seed's loop sees the connection close and ends.
      server.kill('SIGTERM');
      expect(await exited, clientOutput()).toBe(0);
      expect(clientOutput()).toContain('Connection lost. Reconnecting...');
      expect(clientOutput()).not.toContain('TIMEOUT');
    },
    180_000,
  );
});
