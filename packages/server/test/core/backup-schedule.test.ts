/**
 * Scheduled backups: a real server with MARQUEE_BACKUP_EVERY of one second and
 * MARQUEE_BACKUP_KEEP of 2 writes archives while it runs, keeps only the newest two (never
 * another file in the folder), and the newest restores into a directory a server then serves.
 * Also how MARQUEE_BACKUP_EVERY is read.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { restoreBackup } from '../../src/core/backup';
import { pruneBackups, scheduledName } from '../../src/core/backup-schedule';
import { ConfigError, loadConfig } from '../../src/core/config';
import { call, startTestServer } from '../helpers/server';
import { ADMIN_API, deviceBody } from '../signage/helpers';

const SCHEDULED = /^marquee-\d{8}T\d{9}Z\.tar\.gz$/;
const scratch = mkdtempSync(join(tmpdir(), 'marquee-backup-schedule-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('scheduled backups', () => {
  it('writes an archive every MARQUEE_BACKUP_EVERY and keeps MARQUEE_BACKUP_KEEP of them', async () => {
    const dir = join(scratch, 'backups');
    const seen = new Set<string>();
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep-me.tar.gz'), 'not a scheduled backup');
    const t = await startTestServer({
      backupDir: dir,
      backupEverySeconds: '1s',
      backupKeep: 2,
    });
    try {
      const admin = await t.login();
      const registered = await call(`${t.url}${ADMIN_API}/device/register/`, {
        token: admin,
        body: deviceBody('SN-SCHEDULED'),
      });
      expect(registered.status).toBe(201);
      await vi.waitFor(
        () => {
          for (const name of readdirSync(dir)) if (SCHEDULED.test(name)) seen.add(name);
          expect(seen.size).toBeGreaterThanOrEqual(4);
        },
        { timeout: 60_000, interval: 50 },
      );
    } finally {
      await t.close();
    }
    const left = readdirSync(dir).sort();
    for (const name of left) if (SCHEDULED.test(name)) seen.add(name);
    const scheduled = left.filter((name) => name !== 'keep-me.tar.gz');
    expect(left).toContain('keep-me.tar.gz');
    expect(scheduled).toHaveLength(2);
    // The two kept are the newest written.
    expect(scheduled).toEqual(
      [...seen]
        .filter((n) => n !== 'keep-me.tar.gz')
        .sort()
        .slice(-2),
    );
    expect(scheduled[0]).toMatch(/^marquee-\d{8}T\d{9}Z\.tar\.gz$/);

    const restored = join(scratch, 'restored');
    const newest = scheduled[1] ?? '';
    await restoreBackup(join(dir, newest), restored, { force: false });
    const r = await startTestServer({}, { dataDir: restored });
    try {
      const device = await call(`${r.url}${ADMIN_API}/devices/SN-SCHEDULED/`, {
        token: await r.login(),
      });
      expect(device.status).toBe(200);
    } finally {
      await r.close();
    }
  }, 90_000);

  it('prunes the partial archives a kill left, older than the newest archive, and nothing else', async () => {
    const dir = join(scratch, 'partials');
    mkdirSync(dir);
    const at = (minute: number) => scheduledName(new Date(Date.UTC(2026, 11, 8, 1, minute)));
    const names = [
      `.${at(1)}.partial`, // cut by a kill before the newest archive: removed
      at(2),
      at(3),
      `.${at(4)}.partial`, // newer than the newest archive (another backup writing): kept
      '.nightly.tar.gz.partial', // a `marquee backup` of another name: never touched
    ];
    for (const name of names) writeFileSync(join(dir, name), 'x');
    expect(await pruneBackups(dir, 5)).toEqual([`.${at(1)}.partial`]);
    expect(readdirSync(dir).sort()).toEqual(names.slice(1).sort());
  });

  it('reads MARQUEE_BACKUP_EVERY as seconds or with a unit', () => {
    const every = (value: string) =>
      loadConfig({ env: { MARQUEE_BACKUP_EVERY: value }, cwd: scratch }).backupEverySeconds;
    expect(every('90')).toBe(90);
    expect(every('30m')).toBe(1800);
    expect(every('6h')).toBe(21_600);
    expect(every('1d')).toBe(86_400);
    expect(loadConfig({ env: {}, cwd: scratch }).backupEverySeconds).toBe(86_400);
    for (const bad of ['0', '1w', 'soon', '-5m', '400d']) {
      expect(() => every(bad), bad).toThrow(ConfigError);
    }
    expect(() => every('soon')).toThrow(/MARQUEE_BACKUP_EVERY/);
    expect(scheduledName(new Date('2026-12-07T19:53:00.123Z'))).toBe(
      'marquee-20261207T195300123Z.tar.gz',
    );
  });
});
