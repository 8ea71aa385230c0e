/**
 * Runs the package's executables as real child processes (node + the bin/ launcher, which picks
 * the build or, when there is none or it is stale, the TypeScript source through tsx).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';

export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
export const nvidiaSmiBin = fileURLToPath(new URL('../../bin/nvidia-smi', import.meta.url));
export const marqueeSimBin = fileURLToPath(new URL('../../bin/marquee-sim', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  readonly exited: Promise<RunResult>;
}

/** Starts `node <script> ...args` with `env` added to this process's environment. */
export function start(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Started {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  let both = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    both += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    both += chunk.toString();
  });
  const exited = new Promise<RunResult>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, output: () => both, exited };
}

/** Runs `node <script> ...args` to completion. */
export function run(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  return start(script, args, env).exited;
}

/** Splits nvidia-smi CSV into rows of values. */
export function parseCsv(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(', '));
}

/** Waits until `sim` has printed `export NAME=value` lines including `last`; returns them all. */
export function printedEnv(sim: Started, last: string): Promise<Record<string, string>> {
  return vi.waitFor(
    () => {
      const output = sim.output();
      const found = Object.fromEntries(
        [...output.matchAll(/export (\w+)=(\S+)/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
      );
      if (!found[last]) throw new Error(`not ready:\n${output}`);
      return found;
    },
    { timeout: 15_000, interval: 100 },
  );
}
