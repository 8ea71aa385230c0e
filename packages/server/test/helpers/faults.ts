/**
 * Storage faults for tests: a real small filesystem (a tmpfs mounted on a temporary folder, when
 * this process may mount: root on Linux, as in CI) that a test fills to the last block and
 * empties again, and SQLite errors shaped exactly as `node:sqlite` throws them, for the fault
 * layer tests use where no filesystem can be mounted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';

export interface SmallDisk {
  /** The mounted folder (or a plain temporary folder when `mounted` is false). */
  readonly dir: string;
  /** Whether `dir` is a real tmpfs of the size asked for. */
  readonly mounted: boolean;
  /** Why mounting failed, when it did. */
  readonly reason?: string;
  /** Writes a filler file until the filesystem answers ENOSPC; returns the bytes written. */
  fill(): number;
  /** Grows the filler file until about `bytes` are left free (never shrinks it). */
  leaveFree(bytes: number): void;
  /** Removes the filler file. */
  free(): void;
  /** Bytes free now, as `statfs` reports them. */
  freeBytes(): number;
  /** Unmounts and removes the folder. */
  cleanup(): void;
}

/** A tmpfs of `bytes` mounted on a fresh temporary folder (falls back to a plain folder). */
export function smallDisk(bytes: number, prefix = 'marquee-fault-'): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let mounted = false;
  let reason: string | undefined;
  try {
    // MARQUEE_TEST_NO_MOUNT=1 runs the fault layer's path even where mounting works.
    if (process.env.MARQUEE_TEST_NO_MOUNT === '1') throw new Error('MARQUEE_TEST_NO_MOUNT=1');
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], {
      stdio: 'pipe',
    });
    mounted = true;
  } catch (error) {
    reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    mounted,
    ...(reason === undefined ? {} : { reason }),
    fill() {
      if (!mounted) throw new Error('fill() needs a mounted filesystem');
      const fd = openSync(filler, 'a');
      let written = 0;
      try {
        // Large chunks first, then smaller ones, down to single bytes: the last block too.
        for (let chunk = 1 << 20; chunk >= 1; chunk >>= 2) {
          const buffer = Buffer.alloc(chunk, 1);
          for (;;) {
            try {
              written += writeSync(fd, buffer);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw error;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    leaveFree(bytes) {
      if (!mounted) throw new Error('leaveFree() needs a mounted filesystem');
      const extra = this.freeBytes() - bytes;
      if (extra <= 0) return;
      const fd = openSync(filler, 'a');
      try {
        const chunk = Buffer.alloc(64 * 1024, 1);
        for (let left = extra; left > 0; left -= chunk.length) {
          writeSync(fd, chunk, 0, Math.min(chunk.length, left));
        }
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    freeBytes() {
      const stats = statfsSync(dir);
      return stats.bavail * stats.bsize;
    },
    cleanup() {
      if (mounted) execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// https://sqlite.org/rescode.html
export const SQLITE_READONLY = 8;
export const SQLITE_FULL = 13;

/** An error as `node:sqlite` throws it for `errcode` (its `errstr` and message). */
export function sqliteError(errcode: number): Error {
  const errstr =
    errcode === SQLITE_FULL
      ? 'database or disk is full'
      : errcode === SQLITE_READONLY
        ? 'attempt to write a readonly database'
        : 'disk I/O error';
  return Object.assign(new Error(errstr), { code: 'ERR_SQLITE_ERROR', errcode, errstr });
}

export interface FaultyDb {
  /** The connection to hand to the code under test (`exec` may fail; the rest is `db`'s). */
  readonly db: DatabaseSync;
  /** Every statement given to `exec`, in order. */
  readonly executed: string[];
  /**
   * The next `exec` whose statement matches `pattern` throws `error` instead of running. With
   * `rollBackFirst`, the whole transaction is rolled back first, as SQLite itself does on
   * SQLITE_FULL, so the savepoints the code holds are gone when it sees the error.
   */
  failNext(pattern: RegExp, error: Error, opts?: { rollBackFirst?: boolean }): void;
}

/** Wraps `db` so a test can make chosen `exec` statements fail. */
export function faultyDb(db: DatabaseSync): FaultyDb {
  const executed: string[] = [];
  const faults: { pattern: RegExp; error: Error; rollBackFirst: boolean }[] = [];
  const proxy = new Proxy(db, {
    get(target, key) {
      if (key === 'exec') {
        return (sql: string) => {
          executed.push(sql);
          const index = faults.findIndex((fault) => fault.pattern.test(sql));
          if (index >= 0) {
            const [fault] = faults.splice(index, 1);
            if (fault !== undefined) {
              if (fault.rollBackFirst && target.isTransaction) target.exec('ROLLBACK');
              throw fault.error;
            }
          }
          target.exec(sql);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return {
    db: proxy,
    executed,
    failNext(pattern, error, opts = {}) {
      faults.push({ pattern, error, rollBackFirst: opts.rollBackFirst ?? false });
    },
  };
}
