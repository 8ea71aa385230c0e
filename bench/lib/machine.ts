/** The machine a run happened on, for the results: numbers mean little without it. */
import { execFileSync } from 'node:child_process';
import { arch, cpus, platform, release, totalmem, type } from 'node:os';

export interface Machine {
  readonly os: string;
  readonly cpu: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  readonly node: string;
  /** Open files allowed per process (`ulimit -n`), which bounds client counts. */
  readonly openFiles: string;
}

export function describeMachine(): Machine {
  const list = cpus();
  let openFiles = 'unknown';
  try {
    openFiles = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  } catch {
    // No shell (Windows): leave it unknown.
  }
  return {
    os: `${type()} ${release()} (${platform()}/${arch()})`,
    cpu: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    openFiles,
  };
}

export function machineLine(machine: Machine): string {
  return (
    `${machine.os}; ${machine.cpus} × ${machine.cpu}; ${machine.memoryGiB} GiB; ` +
    `Node ${machine.node}; ulimit -n ${machine.openFiles}`
  );
}
