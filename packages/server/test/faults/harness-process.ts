/**
 * The kill harness's process control: starts `marquee start` as a child in its own process
 * group, waits for it to listen, SIGKILLs it (also while it starts), and makes HTTP requests to
 * it. The child samples the system every 200 ms, so the monitoring history (a row per second,
 * a minute roll-up at each minute boundary) is written all through the run.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HarnessState } from './harness-state';
import { databaseChecks } from './kill-harness-files';

export const ADMIN = { username: 'admin', password: 'kill-harness-password' };

export interface Server {
  readonly child: ChildProcessWithoutNullStreams;
  url: string;
  output: string;
}

export function spawnServer(h: HarnessState): Server {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('MARQUEE_') && !key.startsWith('DASHBOARD_AUTH_')) env[key] = value;
  }
  const child = spawn(process.execPath, [...h.options.serverArgs, 'start'], {
    cwd: h.options.cwd,
    // Its own process group: a Ctrl-C meant for the harness (which then stops after the kill
    // in progress) must not stop the server in the middle of an iteration.
    detached: true,
    env: {
      ...env,
      PORT: '0',
      HOST: '127.0.0.1',
      MARQUEE_DATA_DIR: h.options.dataDir,
      DASHBOARD_AUTH_USERNAME: ADMIN.username,
      DASHBOARD_AUTH_PASSWORD: ADMIN.password,
      // The writes come fast from one address; the limits are tested elsewhere.
      MARQUEE_RATE_LIMIT_EXEMPT_LOOPBACK: 'true',
      MARQUEE_STORAGE_RESERVE_BYTES: '0',
      // Every second gets its history row (the history keeps one sample a second).
      MARQUEE_SAMPLE_INTERVAL_MS: '200',
      LOG_LEVEL: 'warn',
      // An accelerated wall clock when asked (harness-state.ts HarnessClock).
      ...h.clock.startEnv(),
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

export async function startServer(h: HarnessState): Promise<Server> {
  const server = spawnServer(h);
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

export async function killServer(h: HarnessState, server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGKILL');
  // Within 2 s after a minute boundary (at real speed; two 200 ms samples of real time when
  // accelerated): the sample that opened the minute closed the last one. Likewise for hours.
  const wall = h.clock.now();
  const window = Math.max(2000, 400 * h.clock.speed);
  if (wall % 60_000 < window) h.figures.killsAtRollup += 1;
  if (wall % 3_600_000 < window) h.figures.killsAtHourRollup += 1;
  await exited;
  h.figures.kills += 1;
}

/** On the files as the kill left them, before anything opens them again. */
export function checkDatabase(h: HarnessState): void {
  for (const finding of databaseChecks(h.options.dataDir)) h.finding(finding);
}

/**
 * A kill while the server starts (opening the database, migrations on a fresh directory, the
 * files sweep), `withinMs` at most after the spawn; then the database is checked.
 */
export async function killDuringStart(
  h: HarnessState,
  rng: () => number,
  withinMs: number,
): Promise<void> {
  const server = spawnServer(h);
  await sleep(Math.floor(rng() * withinMs));
  if (server.child.exitCode === null) {
    await killServer(h, server);
    h.figures.startKills += 1;
  }
  if (existsSync(join(h.options.dataDir, 'marquee.db'))) checkDatabase(h);
}

export async function request(
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

export async function signIn(server: Server): Promise<string> {
  const res = await request(server, '/api/v1/auth/token/', { body: ADMIN });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
  return (res.body as { access: string }).access;
}

/** Stops the server as an operator would (SIGTERM), at the end of a run. */
export async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}
