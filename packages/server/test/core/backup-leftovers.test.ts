/**
 * A killed `marquee backup` / `marquee restore` leaves its staging folder in the data directory
 * (issue 18 §4's leftover): a server starting there removes the folders whose process is gone
 * (real processes: one that exited, one still running) and keeps those of a live one.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepBackupLeftovers } from '../../src/core/backup-leftovers';
import { startTestServer, type TestServer } from '../helpers/server';

const dirs: string[] = [];
const children: ReturnType<typeof spawn>[] = [];
let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The id of a process that ran and exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

function livePid(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  children.push(child);
  return child.pid!;
}

function stage(dataDir: string, name: string): string {
  const dir = join(dataDir, name);
  mkdirSync(join(dir, 'signage', 'media'), { recursive: true });
  writeFileSync(join(dir, 'marquee.db'), 'a database copy');
  return dir;
}

describe('folders of interrupted backups', () => {
  it('are removed when a server starts, unless their process is alive', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-leftovers-'));
    dirs.push(dataDir);
    const dead = await deadPid();
    const live = livePid();
    const killedBackup = stage(dataDir, `.backup-${dead}-a1b2c3`);
    const killedRestore = stage(dataDir, `.restore-${dead}-d4e5f6`);
    const running = stage(dataDir, `.backup-${live}-g7h8i9`);
    // From before the process id was in the name: removed only once a day old.
    const oldStyle = stage(dataDir, '.backup-Xy12Zq');
    const oldStyleRecent = stage(dataDir, '.backup-Ab34Cd');
    const dayAgo = new Date(Date.now() - 25 * 3600 * 1000);
    utimesSync(oldStyle, dayAgo, dayAgo);
    const unrelated = stage(dataDir, '.backup-notes');
    utimesSync(unrelated, dayAgo, dayAgo);

    t = await startTestServer({}, { dataDir });
    expect(existsSync(killedBackup)).toBe(false);
    expect(existsSync(killedRestore)).toBe(false);
    expect(existsSync(oldStyle)).toBe(false);
    expect(existsSync(running)).toBe(true);
    expect(existsSync(oldStyleRecent)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
  });

  it("a folder named with this process's own id is from an earlier life of that id", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-leftovers-'));
    dirs.push(dataDir);
    const mine = stage(dataDir, `.backup-${process.pid}-zz9`);
    const logged: string[] = [];
    const logger = { info: (_: object, msg: string) => logged.push(msg), warn: () => undefined };
    expect(await sweepBackupLeftovers(dataDir, logger)).toEqual([`.backup-${process.pid}-zz9`]);
    expect(existsSync(mine)).toBe(false);
    expect(logged).toEqual(['removed folders of interrupted backups']);
  });
});
