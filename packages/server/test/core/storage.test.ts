/**
 * Which errors are storage faults (core/storage.ts): SQLite's primary and extended codes, the
 * errno of file-system calls, and either one wrapped in a `cause` chain; and what the client
 * gets for each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageMonitor, storageError, storageFaultKind } from '../../src/core/storage';
import { SQLITE_FULL, SQLITE_READONLY, sqliteError } from '../helpers/faults';

const errno = (code: string) => Object.assign(new Error(code), { code, path: '/data/x' });

describe('storageFaultKind', () => {
  it('reads SQLite codes, extended ones included', () => {
    expect(storageFaultKind(sqliteError(SQLITE_FULL))).toBe('full');
    expect(storageFaultKind(sqliteError(SQLITE_READONLY))).toBe('read_only');
    // SQLITE_READONLY_DBMOVED (8 | 4 << 8)
    expect(storageFaultKind(sqliteError(8 | (4 << 8)))).toBe('read_only');
    // SQLITE_CONSTRAINT_UNIQUE is no storage fault
    expect(storageFaultKind(sqliteError(2067))).toBeUndefined();
  });

  it('reads file-system errnos, through a cause chain', () => {
    expect(storageFaultKind(errno('ENOSPC'))).toBe('full');
    expect(storageFaultKind(errno('EDQUOT'))).toBe('full');
    expect(storageFaultKind(errno('EROFS'))).toBe('read_only');
    expect(storageFaultKind(errno('ENOENT'))).toBeUndefined();
    expect(storageFaultKind(new Error('upload failed', { cause: errno('ENOSPC') }))).toBe('full');
    expect(storageFaultKind('ENOSPC')).toBeUndefined();
  });

  it("reads PostgreSQL's SQLSTATEs for a full disk and a read-only server", () => {
    const pgError = (code: string) => Object.assign(new Error('pg'), { code });
    expect(storageFaultKind(pgError('53100'))).toBe('full');
    expect(storageFaultKind(pgError('25006'))).toBe('read_only');
    expect(storageFaultKind(pgError('23505'))).toBeUndefined();
  });

  it('maps to 507 STORAGE_FULL and 503 STORAGE_READ_ONLY', () => {
    expect(storageError('full')).toMatchObject({ code: 'STORAGE_FULL', status: 507 });
    expect(storageError('read_only')).toMatchObject({ code: 'STORAGE_READ_ONLY', status: 503 });
  });
});

describe('StorageMonitor', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  const quiet = { error: () => undefined, warn: () => undefined };

  it('reports free space and the reserve, low below it', () => {
    dir = mkdtempSync(join(tmpdir(), 'marquee-storage-'));
    const roomy = new StorageMonitor({ dataDir: dir, reserveBytes: 0, logger: quiet });
    const status = roomy.status();
    expect(status.state).toBe('ok');
    expect(status.freeBytes).toBeGreaterThan(0);
    const greedy = new StorageMonitor({
      dataDir: dir,
      reserveBytes: Number.MAX_SAFE_INTEGER,
      logger: quiet,
    });
    expect(greedy.status().state).toBe('low');
  });

  it('refuses room below the reserve with 507 after asking the reclaimers', async () => {
    dir = mkdtempSync(join(tmpdir(), 'marquee-storage-'));
    const monitor = new StorageMonitor({
      dataDir: dir,
      reserveBytes: Number.MAX_SAFE_INTEGER,
      logger: quiet,
    });
    const asked: number[] = [];
    monitor.addReclaimer('test', (wanted) => {
      asked.push(wanted);
      return Promise.resolve(0);
    });
    await expect(monitor.ensureRoom(10, 'test file')).rejects.toMatchObject({
      code: 'STORAGE_FULL',
      status: 507,
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toBeGreaterThan(0);
  });

  it('counts faults and logs the file and the free space', () => {
    dir = mkdtempSync(join(tmpdir(), 'marquee-storage-'));
    const lines: string[] = [];
    const monitor = new StorageMonitor({
      dataDir: dir,
      reserveBytes: 0,
      logger: { error: (_obj, msg) => lines.push(msg ?? ''), warn: () => undefined },
    });
    monitor.record('full', errno('ENOSPC'), 'POST /x');
    expect(monitor.status().faults).toEqual({ full: 1, read_only: 0 });
    expect(lines[0]).toMatch(/^storage full: could not write \/data\/x \(\d+ bytes free of \d+/);
  });
});
