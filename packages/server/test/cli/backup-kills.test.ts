/**
 * `marquee backup` and `marquee restore` SIGKILLed at seeded moments (the built bin in real child
 * processes). Each kill lands either at a seeded time within a measured full run, or a seeded few
 * milliseconds after a phase began (the backup's staging folder or partial archive appears; the
 * restore's staging folder appears, or the old data starts to be removed), so every phase gets
 * kills on any machine.
 *
 * After a killed backup: the source directory is intact (integrity, every file's MD5), the
 * archive's final name exists only for a complete archive (it restores), a partial archive is
 * refused by `marquee restore`, and a server starting on the source removes the staging folders.
 * After a killed restore, once the directory is next opened (`openStore`, as a starting server
 * does): the target is exactly as before (every file's MD5) or exactly the backup, never a mix,
 * and no staging folder or journal is left once a server has started there.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/store';
import { RESTORE_JOURNAL } from '../../src/core/store/restore-journal';
import { cleanEnv, cliPath, runCli } from '../helpers/cli';
import { call, startTestServer } from '../helpers/server';
import { ADMIN_API, deviceBody, jpegBytes, uploadMedia } from '../signage/helpers';

const SEED = Number(process.env.MARQUEE_KILL_SEED ?? 1818);
const KILLS = Number(process.env.MARQUEE_BACKUP_KILLS ?? 10);

const scratch = mkdtempSync(join(tmpdir(), 'marquee-backup-kills-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** mulberry32: a small seeded generator, so a run's kill moments repeat with its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** Every file under `root` (relative path → MD5), leaving out names `skip` matches. */
function fingerprint(root: string, skip: RegExp = /^$/): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(root)) return out;
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(root, join(entry.parentPath, entry.name));
    if (skip.test(path)) continue;
    out[path] = md5(readFileSync(join(root, path)));
  }
  return out;
}

const STAGING = /^\.(backup|restore)-/;
/** The data directory's own files: no staging folders, journal, lock marks or WAL side files. */
const NOT_DATA = /^(\.(backup|restore)-|\.restore-journal|run\/|marquee\.db-(wal|shm)$)/;
/**
 * The same without the database file, whose bytes opening it changes (a restored copy is
 * switched to WAL): the database is compared by its rows (`devices`) and `PRAGMA integrity_check`.
 */
const NOT_FILES = /^(\.(backup|restore)-|\.restore-journal|run\/|marquee\.db)/;

function integrity(file: string): string {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return String(db.prepare('PRAGMA integrity_check').get()?.integrity_check);
  } finally {
    db.close();
  }
}

function devices(dataDir: string): string[] {
  const db = new DatabaseSync(join(dataDir, 'marquee.db'), { readOnly: true });
  try {
    return db
      .prepare('SELECT sn_number FROM signage_devices ORDER BY sn_number')
      .all()
      .map((row) => String(row.sn_number));
  } finally {
    db.close();
  }
}

interface Killed {
  /** The process was killed (false: it finished before the kill). */
  readonly killed: boolean;
  readonly exitCode: number | null;
  readonly output: string;
}

/**
 * Runs `marquee <args>` and SIGKILLs it `delayMs` after start, or `delayMs` after `trigger()`
 * first answers true (polled every millisecond).
 */
async function runAndKill(
  args: readonly string[],
  kill: { delayMs: number; trigger?: () => boolean },
): Promise<Killed> {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: scratch, env: cleanEnv() });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  if (kill.trigger !== undefined) {
    while (!done && !kill.trigger()) await sleep(1);
  }
  if (!done) await sleep(kill.delayMs);
  if (!done) child.kill('SIGKILL');
  const { code, signal } = await exited;
  return { killed: signal === 'SIGKILL', exitCode: code, output };
}

async function timed(args: readonly string[]): Promise<number> {
  const started = performance.now();
  const result = await runCli(args, { cwd: scratch });
  expect(result.code, result.stderr).toBe(0);
  return performance.now() - started;
}

describe('marquee backup and restore killed mid-way', () => {
  const source = join(scratch, 'source');
  const oldTarget = join(scratch, 'old-target');
  const complete = join(scratch, 'complete.tar.gz');
  let sourcePrint: Record<string, string> = {};
  let oldPrint: Record<string, string> = {};
  let backupPrint: Record<string, string> = {};
  const random = seeded(SEED);

  beforeAll(async () => {
    // The source: devices and 12 MB of media, so that a backup takes a while.
    const t = await startTestServer({}, { dataDir: source });
    try {
      const admin = await t.login();
      for (let i = 1; i <= 3; i++) {
        const res = await call(`${t.url}${ADMIN_API}/device/register/`, {
          token: admin,
          body: deviceBody(`SN-NEW-${i}`),
        });
        expect(res.status).toBe(201);
      }
      for (let i = 1; i <= 30; i++) {
        await uploadMedia(t, admin, `m-${i}.jpg`, jpegBytes(400_000 + i, i), 'image/jpeg');
      }
    } finally {
      await t.close();
    }
    sourcePrint = fingerprint(source, NOT_DATA);
    // A data directory holding other data, and a large thumbnail cache (a restore removes it).
    const o = await startTestServer({}, { dataDir: oldTarget });
    try {
      const res = await call(`${o.url}${ADMIN_API}/device/register/`, {
        token: await o.login(),
        body: deviceBody('SN-OLD'),
      });
      expect(res.status).toBe(201);
      await uploadMedia(o, await o.login(), 'old.jpg', jpegBytes(50_000, 99), 'image/jpeg');
    } finally {
      await o.close();
    }
    mkdirSync(join(oldTarget, 'cache', 'thumbs'), { recursive: true });
    for (let i = 0; i < 2000; i++) {
      writeFileSync(join(oldTarget, 'cache', 'thumbs', `t-${i}.webp`), `thumb ${i}`);
    }
    oldPrint = fingerprint(oldTarget, NOT_FILES);
    const made = await runCli(['backup', complete, '--data-dir', source], { cwd: scratch });
    expect(made.code, made.stderr).toBe(0);
    const unpacked = join(scratch, 'unpacked');
    const restored = await runCli(['restore', complete, '--data-dir', unpacked], { cwd: scratch });
    expect(restored.code, restored.stderr).toBe(0);
    backupPrint = fingerprint(unpacked, NOT_FILES);
    expect(devices(unpacked)).toEqual(['SN-NEW-1', 'SN-NEW-2', 'SN-NEW-3']);
  }, 180_000);

  it(`backup: ${KILLS} kills; the source intact, only complete archives under the final name, staging swept`, async () => {
    const full = await timed(['backup', join(scratch, 'timing.tar.gz'), '--data-dir', source]);
    const phases = { timed: 0, staging: 0, archive: 0, finished: 0 };
    let partialChecked = false;
    for (let i = 0; i < KILLS; i++) {
      const archive = join(scratch, 'out', `b-${i}.tar.gz`);
      const partial = join(scratch, 'out', `.b-${i}.tar.gz.partial`);
      const stageExists = () => readdirSync(source).some((n) => n.startsWith('.backup-'));
      const kind = i % 3;
      const result = await runAndKill(
        ['backup', archive, '--data-dir', source],
        kind === 0
          ? { delayMs: full * (0.1 + 0.9 * random()) }
          : {
              delayMs: 30 * random(),
              trigger: kind === 1 ? stageExists : () => existsSync(partial),
            },
      );
      if (!result.killed) {
        expect(result.exitCode, result.output).toBe(0);
        phases.finished += 1;
      } else {
        phases[kind === 0 ? 'timed' : kind === 1 ? 'staging' : 'archive'] += 1;
      }
      // The source: every file as it was, the database whole.
      expect(integrity(join(source, 'marquee.db'))).toBe('ok');
      expect(fingerprint(source, NOT_DATA)).toEqual(sourcePrint);
      if (existsSync(archive)) {
        // Under its final name an archive is complete: it restores, every MD5 checked.
        const into = join(scratch, `check-${i}`);
        const r = await runCli(['restore', archive, '--data-dir', into], { cwd: scratch });
        expect(r.code, r.stderr).toBe(0);
        expect(fingerprint(into, NOT_FILES)).toEqual(backupPrint);
        expect(devices(into)).toEqual(['SN-NEW-1', 'SN-NEW-2', 'SN-NEW-3']);
        rmSync(into, { recursive: true, force: true });
      } else if (existsSync(partial) && !partialChecked) {
        // What a kill left half-written is refused, and the target stays untouched.
        partialChecked = true;
        const into = join(scratch, `refused-${i}`);
        const r = await runCli(['restore', partial, '--data-dir', into], { cwd: scratch });
        expect(r.code).toBe(1);
        expect(existsSync(join(into, 'marquee.db'))).toBe(false);
      }
    }
    console.info(
      `backup kills (seed ${SEED}): ${JSON.stringify(phases)}; full run ${Math.round(full)} ms`,
    );
    expect(phases.staging + phases.archive + phases.timed).toBeGreaterThan(KILLS / 2);

    // A server starting on the source removes every staging folder the kills left.
    const t = await startTestServer({}, { dataDir: source });
    try {
      expect(readdirSync(source).filter((n) => STAGING.test(n))).toEqual([]);
      const list = await call(`${t.url}${ADMIN_API}/devices/`, { token: await t.login() });
      expect(list.status).toBe(200);
    } finally {
      await t.close();
    }
    // And a backup to a name a kill left a partial of works.
    const again = await runCli(
      ['backup', join(scratch, 'out', 'b-2.tar.gz'), '--data-dir', source],
      {
        cwd: scratch,
      },
    );
    expect(again.code, again.stderr).toBe(0);
  }, 600_000);

  it(`restore: ${KILLS} kills; the target untouched or fully restored once opened, never a mix`, async () => {
    const template = join(scratch, 'timing-target');
    cpSync(oldTarget, template, { recursive: true });
    const full = await timed(['restore', complete, '--data-dir', template, '--force']);
    const outcomes = { untouched: 0, restored: 0, finishedByNextOpen: 0, completed: 0 };
    for (let i = 0; i < KILLS; i++) {
      const target = join(scratch, `target-${i}`);
      cpSync(oldTarget, target, { recursive: true });
      const stageExists = () => readdirSync(target).some((n) => n.startsWith('.restore-'));
      const journal = join(target, RESTORE_JOURNAL);
      // The swap has begun once the old data starts to go (the thumbnail cache goes first).
      const swapBegan = () => !existsSync(join(target, 'cache', 'thumbs', 't-0.webp'));
      const kind = i % 3;
      const result = await runAndKill(
        ['restore', complete, '--data-dir', target, '--force'],
        kind === 0
          ? { delayMs: full * (0.1 + 0.9 * random()) }
          : {
              delayMs: 5 * random(),
              trigger: kind === 1 ? stageExists : swapBegan,
            },
      );
      if (!result.killed) expect(result.exitCode, result.output).toBe(0);
      const pending = existsSync(journal);
      // The next opener (a server starting, marquee user) finishes a journaled swap first.
      const store = await openStore({ dataDir: target });
      await store.close();
      expect(existsSync(journal)).toBe(false);
      const now = fingerprint(target, NOT_FILES);
      const asBefore = JSON.stringify(now) === JSON.stringify(oldPrint);
      const asBackup = JSON.stringify(now) === JSON.stringify(backupPrint);
      expect(
        asBefore || asBackup,
        `kill ${i}: neither the old data nor the backup: ${Object.keys(now).length} files`,
      ).toBe(true);
      expect(integrity(join(target, 'marquee.db'))).toBe('ok');
      expect(devices(target)).toEqual(asBefore ? ['SN-OLD'] : ['SN-NEW-1', 'SN-NEW-2', 'SN-NEW-3']);
      if (!result.killed) outcomes.completed += 1;
      else if (asBefore) outcomes.untouched += 1;
      else if (pending) outcomes.finishedByNextOpen += 1;
      else outcomes.restored += 1;
      if (i < KILLS - 1) rmSync(target, { recursive: true, force: true });
    }
    console.info(
      `restore kills (seed ${SEED}): ${JSON.stringify(outcomes)}; full run ${Math.round(full)} ms`,
    );
    expect(outcomes.untouched + outcomes.finishedByNextOpen + outcomes.restored).toBeGreaterThan(
      KILLS / 2,
    );

    // A server on the last target sweeps any staging folder and serves.
    const last = join(scratch, `target-${KILLS - 1}`);
    const t = await startTestServer({}, { dataDir: last });
    try {
      expect(readdirSync(last).filter((n) => STAGING.test(n))).toEqual([]);
      expect((await call(`${t.url}/healthz`)).status).toBe(200);
    } finally {
      await t.close();
    }
  }, 600_000);
});
