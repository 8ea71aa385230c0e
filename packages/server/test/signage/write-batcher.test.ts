/**
 * The signage write-behind batcher over the real SQLite repository (a file per test): one
 * transaction per batch, batches on size and on time, submission order kept, a bounded queue
 * that holds callers back, a failing batch rejected to every caller with nothing of it applied
 * (a trigger makes a real statement fail mid-batch), coalesced last-seen writes, and close()
 * writing what was submitted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type Store } from '../../src/core/store';
import {
  signageStore,
  type SignageRepositories,
  type SignageStateChange,
  type SignageStateChangeResult,
} from '../../src/surfaces/signage/store';
import { BatcherClosedError, WriteBatcher } from '../../src/surfaces/signage/write-batcher';
import { deviceBody } from './helpers';
import { STATE_AT, STATE_LATER, ackChange, queueCommands, sentChange } from './state-changes';

let dir: string;
let file: string;
let store: Store;
let signage: SignageRepositories;
const AT = STATE_AT;
const LATER = STATE_LATER;

type Batcher = WriteBatcher<SignageStateChange, SignageStateChangeResult>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'marquee-batcher-'));
  file = join(dir, 'marquee.db');
  store = await openSqliteStore(file, { migrations: signageStore.migrations });
  signage = signageStore.open(store.engine);
  for (const sn of ['SN-1', 'SN-2', 'SN-BAD']) {
    await signage.devices.upsert({ ...deviceBody(sn), brightness: 50, volume: 50 }, null, AT);
  }
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The SQLite connection under the store (a trigger injects a failure there). */
function sqlite(): DatabaseSync {
  if (store.engine.kind !== 'sqlite') throw new Error('expected the SQLite store');
  return store.engine.db;
}

const queue = (sn: string, ...ids: string[]) => queueCommands(signage, sn, ...ids);

/** What a second connection to the file sees: only committed data. */
function committed(sql: string, ...params: string[]): Record<string, unknown>[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}

const states = (...ids: string[]): Record<string, unknown> =>
  Object.fromEntries(
    committed(
      'SELECT id, state FROM signage_commands WHERE id IN (SELECT value FROM json_each(?))',
      JSON.stringify(ids),
    ).map((row): [string, unknown] => [String(row.id), row.state]),
  );

/** A batcher over the repository that records every batch it hands over. */
function batcher(options: { maxBatch?: number; maxDelayMs?: number; maxPending?: number } = {}) {
  const batches: SignageStateChange[][] = [];
  let writing = 0;
  let overlapped = false;
  let gate: Promise<void> | undefined;
  const b: Batcher = new WriteBatcher({
    ...options,
    apply: async (changes) => {
      writing += 1;
      if (writing > 1) overlapped = true;
      try {
        if (gate !== undefined) await gate;
        batches.push([...changes]);
        return await signage.commands.applyStateChanges(changes);
      } finally {
        writing -= 1;
      }
    },
  });
  return {
    b,
    batches,
    overlapped: () => overlapped,
    /** Holds every batch until the returned function is called. */
    hold: () => {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

const sent = sentChange;
const ack = ackChange;

describe('WriteBatcher', () => {
  it('writes a batch at once when it is full, without waiting for the delay', async () => {
    await queue('SN-1', 'a', 'b', 'c');
    const { b, batches } = batcher({ maxBatch: 3, maxDelayMs: 60_000 });
    const started = performance.now();
    const results = await Promise.all([
      b.submit(sent('a')),
      b.submit(sent('b')),
      b.submit(sent('c')),
    ]);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(results.map((r) => r.changed)).toEqual([true, true, true]);
    expect(batches).toHaveLength(1);
    expect(states('a', 'b', 'c')).toEqual({ a: 'sent', b: 'sent', c: 'sent' });
    await b.close();
  });

  it('writes a partial batch once its delay passed, and nothing before', async () => {
    await queue('SN-1', 'a', 'b');
    const { b, batches } = batcher({ maxBatch: 100, maxDelayMs: 300 });
    const done = Promise.all([b.submit(sent('a')), b.submit(sent('b'))]);
    await sleep(100);
    expect(batches).toHaveLength(0);
    expect(states('a', 'b')).toEqual({ a: 'queued', b: 'queued' });
    await done;
    expect(batches).toHaveLength(1);
    expect(states('a', 'b')).toEqual({ a: 'sent', b: 'sent' });
  });

  it('with no delay, writes what one event-loop turn submitted as one batch', async () => {
    await queue('SN-1', 'a', 'b');
    await queue('SN-2', 'c');
    const { b, batches } = batcher();
    await Promise.all([b.submit(sent('a')), b.submit(sent('c')), b.submit(sent('b'))]);
    expect(batches.map((batch) => batch.length)).toEqual([3]);
    expect(b.stats).toEqual({ batches: 1, changes: 3 });
  });

  it('keeps submission order within and across batches, one batch at a time', async () => {
    await queue('SN-1', 'a', 'b', 'c');
    const { b, batches, overlapped } = batcher({ maxBatch: 2 });
    // One device's life in submission order: sent, acked, sent, refused write → requeued, sent.
    const results = await Promise.all([
      b.submit(sent('a')),
      b.submit(ack('a')),
      b.submit(sent('b')),
      b.submit({ kind: 'requeue', id: 'b' }),
      b.submit(sent('b')),
      b.submit(ack('b')),
      b.submit(ack('c')), // never sent: not settled
    ]);
    expect(results.map((r) => r.changed)).toEqual([true, true, true, true, true, true, false]);
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 2, 1]);
    expect(batches.flat()).toEqual([
      sent('a'),
      ack('a'),
      sent('b'),
      { kind: 'requeue', id: 'b' },
      sent('b'),
      ack('b'),
      ack('c'),
    ]);
    expect(overlapped()).toBe(false);
    expect(states('a', 'b', 'c')).toEqual({ a: 'acked', b: 'acked', c: 'queued' });
  });

  it('bounds the queue: callers beyond maxPending wait for room and keep their order', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    await queue('SN-1', ...ids);
    const { b, batches, hold } = batcher({ maxBatch: 2, maxPending: 4 });
    const release = hold();
    const settled: string[] = [];
    const all = ids.map((id) =>
      b.submit(sent(id)).then((r) => {
        settled.push(id);
        return r;
      }),
    );
    await sleep(50);
    // The first batch (2) is being written; 4 wait in the queue, the other 6 are held back.
    expect(b.pending).toBe(10);
    expect(b.queued).toBe(4);
    expect(settled).toEqual([]);
    release();
    const results = await Promise.all(all);
    expect(results.every((r) => r.changed)).toBe(true);
    expect(settled).toEqual(ids);
    expect(batches.flat().map((c) => (c.kind === 'sent' ? c.id : ''))).toEqual(ids);
    expect(batches.every((batch) => batch.length <= 2)).toBe(true);
  });

  it('rejects every change of a failing batch with its error, applies none, and goes on', async () => {
    await queue('SN-1', 'a', 'b');
    sqlite().exec(`CREATE TRIGGER refuse_bad BEFORE UPDATE OF last_seen_at ON signage_devices
      WHEN NEW.sn_number = 'SN-BAD' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    const { b } = batcher({ maxBatch: 3 });
    const outcomes = await Promise.allSettled([
      b.submit(sent('a')),
      b.submit({ kind: 'touch', snNumber: 'SN-BAD', at: LATER }),
      b.submit({ kind: 'touch', snNumber: 'SN-1', at: LATER }),
      // The next batch is not affected.
      b.submit(sent('b')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    for (const outcome of outcomes.slice(0, 3)) {
      expect(outcome.status === 'rejected' && String(outcome.reason)).toContain('injected failure');
    }
    expect(states('a', 'b')).toEqual({ a: 'queued', b: 'sent' });
    expect((await signage.devices.find('SN-1'))?.lastSeenAt).toBeNull();
  });

  it('coalesces changes with the same key not yet taken: one write, the newest value, every caller answered', async () => {
    const { b, batches } = batcher({ maxDelayMs: 100 });
    const touches = ['10:00:01', '10:00:02', '10:00:03'].map((t) =>
      b.submit({ kind: 'touch', snNumber: 'SN-1', at: `2025-01-15T${t}.000Z` }, 'touch:SN-1'),
    );
    const other = b.submit({ kind: 'touch', snNumber: 'SN-2', at: LATER }, 'touch:SN-2');
    const results = await Promise.all([...touches, other]);
    expect(results.every((r) => r.changed)).toBe(true);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(2);
    expect((await signage.devices.find('SN-1'))?.lastSeenAt).toBe('2025-01-15T10:00:03.000Z');
    // Once its batch was taken, the same key is a new change.
    await b.submit({ kind: 'touch', snNumber: 'SN-1', at: LATER }, 'touch:SN-1');
    expect((await signage.devices.find('SN-1'))?.lastSeenAt).toBe(LATER);
  });

  it('close() writes everything submitted, then refuses', async () => {
    await queue('SN-1', 'a', 'b', 'c');
    const { b, batches } = batcher({ maxBatch: 2, maxDelayMs: 60_000 });
    const pending = [b.submit(sent('a')), b.submit(sent('b')), b.submit(sent('c'))];
    await b.close();
    expect(states('a', 'b', 'c')).toEqual({ a: 'sent', b: 'sent', c: 'sent' });
    expect((await Promise.all(pending)).every((r) => r.changed)).toBe(true);
    expect(batches.map((batch) => batch.length)).toEqual([2, 1]);
    await expect(b.submit(sent('a'))).rejects.toBeInstanceOf(BatcherClosedError);
  });
});
