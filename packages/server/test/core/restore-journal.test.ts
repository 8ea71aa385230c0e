/**
 * The restore journal (core/store/restore-journal.ts) finished from each state a kill can leave
 * it in: nothing of the swap done yet, the old data partly removed, the database moved in but not
 * the files, everything moved but the journal not yet removed. Each ends as the restored data
 * alone. A journal Marquee did not write is refused with what to do.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RESTORE_JOURNAL,
  finishInterruptedRestore,
  type RestoreJournal,
} from '../../src/core/store/restore-journal';

let dir = '';
const STAGE = '.restore-4242-abcdef';
const journal: RestoreJournal = {
  stage: STAGE,
  move: ['marquee.db', 'signage'],
  remove: ['marquee.db', 'marquee.db-wal', 'marquee.db-shm', 'signage', 'cache'],
};

function put(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}
const read = (path: string) => readFileSync(join(dir, path), 'utf8');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'marquee-journal-'));
  put('marquee.db', 'old db');
  put('marquee.db-wal', 'old wal');
  put('signage/media/images/1_old.jpg', 'old media');
  put('cache/thumbs/a.webp', 'thumb');
  put(`${STAGE}/marquee.db`, 'new db');
  put(`${STAGE}/signage/media/images/7_new.jpg`, 'new media');
  put(RESTORE_JOURNAL, JSON.stringify(journal));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function expectRestored(): void {
  expect(read('marquee.db')).toBe('new db');
  expect(read('signage/media/images/7_new.jpg')).toBe('new media');
  expect(existsSync(join(dir, 'signage/media/images/1_old.jpg'))).toBe(false);
  expect(existsSync(join(dir, 'marquee.db-wal'))).toBe(false);
  expect(existsSync(join(dir, 'cache'))).toBe(false);
  expect(existsSync(join(dir, RESTORE_JOURNAL))).toBe(false);
}

describe('finishing an interrupted restore', () => {
  it('no journal: nothing to do', async () => {
    rmSync(join(dir, RESTORE_JOURNAL));
    expect(await finishInterruptedRestore(dir)).toBe(false);
    expect(read('marquee.db')).toBe('old db');
    expect(await finishInterruptedRestore(join(dir, 'missing'))).toBe(false);
  });

  it('killed right after the journal was written', async () => {
    expect(await finishInterruptedRestore(dir)).toBe(true);
    expectRestored();
  });

  it('killed while the old data was being removed', async () => {
    rmSync(join(dir, 'cache'), { recursive: true });
    rmSync(join(dir, 'marquee.db-wal'));
    expect(await finishInterruptedRestore(dir)).toBe(true);
    expectRestored();
  });

  it('killed with the database moved in and the files not', async () => {
    rmSync(join(dir, 'cache'), { recursive: true });
    rmSync(join(dir, 'marquee.db-wal'));
    rmSync(join(dir, 'marquee.db'));
    writeFileSync(join(dir, 'marquee.db'), readFileSync(join(dir, STAGE, 'marquee.db')));
    rmSync(join(dir, STAGE, 'marquee.db'));
    expect(await finishInterruptedRestore(dir)).toBe(true);
    expectRestored();
  });

  it('killed with everything moved and the journal still there; a journal half-written is ignored', async () => {
    await finishInterruptedRestore(dir);
    put(RESTORE_JOURNAL, JSON.stringify(journal));
    put(`${RESTORE_JOURNAL}.tmp`, '{"stage": ".rest');
    expect(await finishInterruptedRestore(dir)).toBe(true);
    expectRestored();
    expect(existsSync(join(dir, `${RESTORE_JOURNAL}.tmp`))).toBe(false);
  });

  it.each([
    ['not JSON', '{"stage"'],
    ['a stage outside the directory', JSON.stringify({ ...journal, stage: '../elsewhere' })],
    ['a name with a separator', JSON.stringify({ ...journal, remove: ['../../etc'] })],
  ])('refuses a journal that is %s, touching nothing', async (_what, text) => {
    put(RESTORE_JOURNAL, text);
    await expect(finishInterruptedRestore(dir)).rejects.toThrow(
      /not a restore journal Marquee wrote/,
    );
    expect(read('marquee.db')).toBe('old db');
  });
});
