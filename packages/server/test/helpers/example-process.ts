/**
 * Runs a program from examples/ as a real child process (Node + tsx on the SDK's sources), the
 * way a user runs it inside this repository, and waits on what it prints.
 */
import { spawn } from 'node:child_process';
import { vi } from 'vitest';
import { repoRoot } from './cli';

const WAIT = { timeout: 15_000, interval: 20 } as const;

export interface ExampleRun {
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
  kill(): void;
}

const running: ExampleRun[] = [];

/** Starts `examples/<script>` with `args` and `env` added to this process's environment. */
export function runExample(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): ExampleRun {
  const child = spawn(
    process.execPath,
    ['--conditions=@marquee/source', '--import', 'tsx', `examples/${script}`, ...args],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const run: ExampleRun = {
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
  running.push(run);
  return run;
}

/** Kills every example still running (for `afterEach`). */
export function killExamples(): void {
  for (const run of running.splice(0)) run.kill();
}

/** Waits for `check` to pass, failing at once (with the child's stderr) if the child exits. */
export async function untilOutput(
  run: ExampleRun,
  check: () => void,
  wait: { timeout: number; interval: number } = WAIT,
): Promise<void> {
  let done = false;
  const early = run.exited.then((code) => {
    if (!done) throw new Error(`the example exited early (${code}):\n${run.stderr()}`);
  });
  try {
    await Promise.race([vi.waitFor(check, wait), early]);
  } finally {
    done = true;
  }
}
