/**
 * The data directory's "in use" marks (core/server-lock.ts) on a real folder: one per server, so
 * one closing never hides another; marks of dead processes and stray files are ignored.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimDataDir, runningServers, SERVER_LOCK_DIR } from '../../src/core/server-lock';
import { startTestServer } from '../helpers/server';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'marquee-lock-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('server lock', () => {
  it('names each server on the directory until it releases, one apart from the other', () => {
    expect(runningServers(dataDir)).toEqual([]);
    const first = claimDataDir(dataDir, 'http://127.0.0.1:8000');
    const second = claimDataDir(dataDir, 'http://127.0.0.1:8001');
    expect(
      runningServers(dataDir)
        .map((s) => [s.pid, s.url])
        .sort(),
    ).toEqual([
      [process.pid, 'http://127.0.0.1:8000'],
      [process.pid, 'http://127.0.0.1:8001'],
    ]);
    first();
    expect(runningServers(dataDir).map((s) => s.url)).toEqual(['http://127.0.0.1:8001']);
    second();
    expect(runningServers(dataDir)).toEqual([]);
  });

  it('ignores marks of processes that are gone and files that are not marks', () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    claimDataDir(dataDir, 'http://x:1');
    const dir = join(dataDir, SERVER_LOCK_DIR);
    const own = readdirSync(dir)[0] ?? '';
    writeFileSync(join(dir, `server-${dead}-abcdef.json`), '{}');
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    // Cut short by a crash: the pid in the name still counts, the URL is unknown.
    writeFileSync(join(dir, own), '{"pid":');
    expect(runningServers(dataDir)).toEqual([{ pid: process.pid, file: join(dir, own) }]);
  });

  it('is written by a listening server and removed when it closes', async () => {
    const t = await startTestServer({}, { dataDir });
    expect(runningServers(dataDir)).toEqual([
      expect.objectContaining({ pid: process.pid, url: t.url }),
    ]);
    await t.close();
    expect(runningServers(dataDir)).toEqual([]);
  });
});
