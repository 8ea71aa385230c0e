/**
 * CPU time of this process and of the child processes it has spawned and reaped, in
 * microseconds: what a sampler that shells out (`df`, sensors) really costs. Node reports its own
 * time (`process.cpuUsage`, every thread) but not its children's; on Linux `/proc/self/stat`
 * has them (`cutime`, `cstime`: children that exited and were waited for, which libuv does as
 * soon as they exit). Elsewhere the children's part is 0 and `childrenCounted` says so.
 */
import { readFileSync } from 'node:fs';

/** Linux reports `cutime`/`cstime` in USER_HZ ticks, fixed at 100 per second by its ABI. */
const MICROS_PER_TICK = 10_000;

export interface CpuTime {
  /** This process, every thread (user + system). */
  readonly selfMicros: number;
  /** Exited children, user + system, at a resolution of 10 ms. */
  readonly childrenMicros: number;
}

export const childrenCounted = process.platform === 'linux';

export function cpuTime(): CpuTime {
  const self = process.cpuUsage();
  return { selfMicros: self.user + self.system, childrenMicros: childrenMicros() };
}

/** Total CPU microseconds (self and children) since `before`. */
export function cpuSince(before: CpuTime): number {
  const now = cpuTime();
  return now.selfMicros - before.selfMicros + (now.childrenMicros - before.childrenMicros);
}

function childrenMicros(): number {
  if (!childrenCounted) return 0;
  const stat = readFileSync('/proc/self/stat', 'latin1');
  // The command name (field 2) may hold spaces; fields resume after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Field 3 (state) is index 0, so cutime (16) and cstime (17) are 13 and 14.
  return ((Number(fields[13]) || 0) + (Number(fields[14]) || 0)) * MICROS_PER_TICK;
}
