/**
 * The data directory's disk as the server sees it: which errors are storage faults, what a
 * client is told about them, what the log says, and the headroom uploads must leave.
 *
 * - A full disk (`SQLITE_FULL`, `ENOSPC`, `EDQUOT`, PostgreSQL's 53100) answers `507 STORAGE_FULL`;
 *   a read-only store (`SQLITE_READONLY`, `EROFS`, PostgreSQL's 25006) answers
 *   `503 STORAGE_READ_ONLY`; each in the surface's own
 *   error shape (http-errors.ts), never a bare 500. The log names the file that could not be
 *   written and the free space of the filesystem holding the data directory.
 * - `/healthz` and `/metrics` read `status()`: free and total bytes, the reserve, the last fault.
 * - Headroom: `ensureRoom` refuses (507) a file that would leave less than the reserve free,
 *   after asking the reclaimers (the thumbnail cache, old screenshots) to give space back.
 */
import { accessSync, constants, statfsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MarqueeError } from '@marquee/sdk';
import { DATABASE_FILE } from './store';

export type StorageFaultKind = 'full' | 'read_only';

// https://sqlite.org/rescode.html: the primary code is the low byte of an extended one.
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;

// File-system errnos, and PostgreSQL's SQLSTATEs for the same faults on the database server:
// disk_full 53100, read_only_sql_transaction 25006 (a read-only server or standby).
const FULL_ERRNOS = new Set(['ENOSPC', 'EDQUOT', '53100']);
const READ_ONLY_ERRNOS = new Set(['EROFS', '25006']);

/** `error` and the errors in its `cause` chain (a few hops at most). */
function* causes(error: unknown): Generator<Readonly<Record<string, unknown>>> {
  let current: unknown = error;
  for (let hops = 0; hops < 8 && typeof current === 'object' && current !== null; hops++) {
    const each = current as Readonly<Record<string, unknown>>;
    yield each;
    current = each.cause;
  }
}

/** The storage fault `error` (or an error in its `cause` chain) reports, if any. */
export function storageFaultKind(error: unknown): StorageFaultKind | undefined {
  for (const { errcode, code } of causes(error)) {
    if (typeof errcode === 'number') {
      if ((errcode & 0xff) === SQLITE_FULL) return 'full';
      if ((errcode & 0xff) === SQLITE_READONLY) return 'read_only';
    }
    if (typeof code === 'string') {
      if (FULL_ERRNOS.has(code)) return 'full';
      if (READ_ONLY_ERRNOS.has(code)) return 'read_only';
    }
  }
  return undefined;
}

/** The client's error for a storage fault (no paths or sizes: those go to the log). */
export function storageError(kind: StorageFaultKind, cause?: unknown): MarqueeError {
  return kind === 'full'
    ? new MarqueeError(
        'STORAGE_FULL',
        "Insufficient storage: the server's disk is full; try again once space is freed",
        { cause },
      )
    : new MarqueeError(
        'STORAGE_READ_ONLY',
        "The server's storage is read-only; writes are refused until it is writable again",
        { cause },
      );
}

/** What `/healthz` reports of the data directory's disk. */
export interface StorageStatus {
  /**
   * `ok`; `low` (free space below the reserve: uploads and screenshots are refused); `full` (a
   * write failed for want of space and free space has not since come back above the reserve);
   * `read_only` (the data directory cannot be written).
   */
  readonly state: 'ok' | 'low' | 'full' | 'read_only';
  /** Bytes free to the server on the data directory's filesystem; null when unknown. */
  readonly freeBytes: number | null;
  readonly totalBytes: number | null;
  readonly reserveBytes: number;
  /** Storage faults answered since start, by kind. */
  readonly faults: Readonly<Record<StorageFaultKind, number>>;
}

/** Gives space back (deletes cache entries, old screenshots ...); resolves with bytes freed. */
export type Reclaimer = (bytesWanted: number) => Promise<number>;

export interface StorageLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface StorageMonitorOptions {
  readonly dataDir: string;
  /** Free space uploads must leave, in bytes (MARQUEE_STORAGE_RESERVE_BYTES). */
  readonly reserveBytes: number;
  readonly logger: StorageLogger;
}

export class StorageMonitor {
  readonly dataDir: string;
  readonly reserveBytes: number;
  private readonly logger: StorageLogger;
  private readonly counts: Record<StorageFaultKind, number> = { full: 0, read_only: 0 };
  /** A full disk was met and free space has not come back above the reserve since. */
  private fullSeen = false;
  private readonly reclaimers: { readonly name: string; readonly reclaim: Reclaimer }[] = [];

  constructor(options: StorageMonitorOptions) {
    this.dataDir = resolve(options.dataDir);
    this.reserveBytes = options.reserveBytes;
    this.logger = options.logger;
  }

  /** Free and total bytes of the data directory's filesystem; undefined when it cannot be read. */
  space(): { readonly free: number; readonly total: number } | undefined {
    try {
      const stats = statfsSync(this.dataDir);
      return { free: stats.bavail * stats.bsize, total: stats.blocks * stats.bsize };
    } catch {
      return undefined;
    }
  }

  private writable(): boolean {
    try {
      accessSync(this.dataDir, constants.W_OK);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT';
    }
  }

  /**
   * The fault `error` reports, also recognising an I/O error as read-only when the data
   * directory has become unwritable (SQLite reports a write refused with EROFS as SQLITE_IOERR).
   */
  classify(error: unknown): StorageFaultKind | undefined {
    const kind = storageFaultKind(error);
    if (kind !== undefined) return kind;
    for (const { errcode, code } of causes(error)) {
      const ioError =
        (typeof errcode === 'number' && (errcode & 0xff) === SQLITE_IOERR) || code === 'EIO';
      if (ioError && !this.writable()) return 'read_only';
    }
    return undefined;
  }

  status(): StorageStatus {
    const space = this.space();
    const free = space?.free ?? null;
    if (free !== null && free >= Math.max(this.reserveBytes, 1)) this.fullSeen = false;
    const state = !this.writable()
      ? 'read_only'
      : this.fullSeen || free === 0
        ? 'full'
        : free !== null && free < this.reserveBytes
          ? 'low'
          : 'ok';
    return {
      state,
      freeBytes: free,
      totalBytes: space?.total ?? null,
      reserveBytes: this.reserveBytes,
      faults: { ...this.counts },
    };
  }

  /**
   * Counts a fault met while serving `where` (a route) and logs what could not be written and
   * how much space is free.
   */
  record(kind: StorageFaultKind, error: unknown, where: string): void {
    this.counts[kind] += 1;
    if (kind === 'full') this.fullSeen = true;
    const space = this.space();
    // SQLite's errors name no file: theirs is the database.
    const file =
      faultPath(error) ??
      (isSqliteError(error) ? join(this.dataDir, DATABASE_FILE) : `a file in ${this.dataDir}`);
    const log = {
      err: error,
      where,
      file,
      data_dir: this.dataDir,
      free_bytes: space?.free ?? null,
      total_bytes: space?.total ?? null,
    };
    const sizes =
      space === undefined
        ? 'free space unknown'
        : `${space.free} bytes free of ${space.total} on its filesystem`;
    if (kind === 'full') {
      this.logger.error(log, `storage full: could not write ${file} (${sizes})`);
    } else {
      this.logger.error(log, `storage read-only: could not write ${file} (${sizes})`);
    }
  }

  /** Adds a source of space `ensureRoom` asks, in the order added, before refusing. */
  addReclaimer(name: string, reclaim: Reclaimer): void {
    this.reclaimers.push({ name, reclaim });
  }

  /**
   * Resolves when `bytes` more can be written leaving the reserve free, after asking the
   * reclaimers for what is missing; otherwise throws 507 STORAGE_FULL. `what` names the write in
   * the log ("media upload").
   */
  async ensureRoom(bytes: number, what: string): Promise<void> {
    const missing = () => {
      const space = this.space();
      return space === undefined ? 0 : bytes + this.reserveBytes - space.free;
    };
    let short = missing();
    if (short <= 0) return;
    for (const { name, reclaim } of this.reclaimers) {
      const freed = await reclaim(short).catch((error: unknown) => {
        this.logger.warn({ err: error, reclaimer: name }, 'giving space back failed');
        return 0;
      });
      if (freed > 0) this.logger.warn({ reclaimer: name, freed_bytes: freed }, 'space given back');
      short = missing();
      if (short <= 0) return;
    }
    const space = this.space();
    this.logger.warn(
      {
        what,
        bytes,
        data_dir: this.dataDir,
        free_bytes: space?.free ?? null,
        reserve_bytes: this.reserveBytes,
      },
      `storage low: refused a ${what} of ${bytes} bytes; ${space?.free ?? 'unknown'} bytes free on ${this.dataDir}, ${this.reserveBytes} kept in reserve`,
    );
    throw new MarqueeError(
      'STORAGE_FULL',
      `Insufficient storage: the server keeps ${this.reserveBytes} bytes free for its database and has too little space for this file`,
    );
  }
}

function isSqliteError(error: unknown): boolean {
  for (const { errcode } of causes(error)) if (typeof errcode === 'number') return true;
  return false;
}

function faultPath(error: unknown): string | undefined {
  for (const { path } of causes(error)) if (typeof path === 'string') return path;
  return undefined;
}
