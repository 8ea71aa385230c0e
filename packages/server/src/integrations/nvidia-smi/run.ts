/**
 * Runs one command with an arguments array (no shell, so nothing in a path or argument is ever
 * interpreted) and a hard time limit. nvidia-smi can hang for good inside a driver call (a GPU
 * fallen off the bus, a wedged persistence daemon): past the limit the process is SIGKILLed and
 * the run reported as a timeout at once, without waiting for an exit that may never come.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** `child_process.spawn`'s shape; tests inject a wrapper to watch the children. */
export type SpawnFn = (
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) => ChildProcess;

export type RunResult =
  | {
      readonly kind: 'exit';
      readonly code: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly stdout: string;
      readonly stderr: string;
    }
  | { readonly kind: 'timeout'; readonly stdout: string; readonly stderr: string }
  /** The process could not start: ENOENT (no such file), EACCES (not executable) ... */
  | { readonly kind: 'spawn-error'; readonly error: NodeJS.ErrnoException };

export interface RunOptions {
  readonly timeoutMs: number;
  /** @default child_process.spawn */
  readonly spawn?: SpawnFn;
  /** Output kept per stream; the rest is dropped (a runaway process cannot fill memory). @default 1 MiB */
  readonly maxOutputBytes?: number;
}

export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const spawn = options.spawn ?? nodeSpawn;
  const limit = options.maxOutputBytes ?? 1024 * 1024;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
      });
    } catch (error) {
      resolve({ kind: 'spawn-error', error: error as NodeJS.ErrnoException });
      return;
    }
    const stdout = collect(child.stdout, limit);
    const stderr = collect(child.stderr, limit);
    let settled = false;
    const finish = (result: RunResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ kind: 'timeout', stdout: stdout(), stderr: stderr() });
    }, options.timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      // 'error' without a pid: it never started. With one, 'close' follows and reports it.
      if (child.pid === undefined) finish({ kind: 'spawn-error', error });
    });
    child.once('close', (code, signal) => {
      finish({ kind: 'exit', code, signal, stdout: stdout(), stderr: stderr() });
    });
  });
}

function collect(stream: NodeJS.ReadableStream | null, limit: number): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on('data', (chunk: Buffer) => {
    if (size >= limit) return;
    chunks.push(chunk.subarray(0, limit - size));
    size += chunk.length;
  });
  return () => Buffer.concat(chunks).toString('utf8');
}
