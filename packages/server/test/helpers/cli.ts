/**
 * Running the built `marquee` bin (packages/server/dist/cli.js, from `npm run build`) as a real
 * child process. Asynchronous on purpose: a test server in this process must keep answering
 * while the command talks to it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const cliPath = join(repoRoot, 'packages/server/dist/cli.js');

/** The environment without Marquee's own settings (so the developer's shell does not leak in). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('MARQUEE_') || key.startsWith('DASHBOARD_AUTH_')) delete env[key];
  }
  return { ...env, ...extra };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  /** Written to stdin, which is then closed (closed at once when absent). */
  readonly input?: string;
  /** Added to the cleaned environment. */
  readonly env?: Record<string, string>;
  /** Where `.env` would be read from; a test's own temporary directory. */
  readonly cwd: string;
}

/** Runs `marquee <args…>` to completion. */
export function runCli(args: readonly string[], options: CliRunOptions): Promise<CliResult> {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
