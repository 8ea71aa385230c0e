/**
 * The media-stack notifications store on SQLite and on PostgreSQL: per-reader read marks, type
 * and unread filters, counts, and the bounded cleanup.
 */
import { beforeEach, expect, it } from 'vitest';
import {
  mediaStackStore,
  type MediaStackRepositories,
  type NewNotification,
} from '../../src/surfaces/media-stack/store';
import { describeEachEngine } from '../helpers/engines';
import { postgresForTests } from '../helpers/postgres';

const pg = await postgresForTests();

const note = (n: number, type: NewNotification['type'] = 'service_down'): NewNotification => ({
  type,
  title: `t${n}`,
  message: `m${n}`,
  priority: n % 2 === 0 ? 'high' : 'normal',
  ...(n === 1 ? { data: { service: 'plex', n } } : {}),
  createdAt: `2025-01-0${n}T00:00:00.000Z`,
});

describeEachEngine(pg, 'media-stack store', (engine) => {
  let repo: MediaStackRepositories;
  beforeEach(async () => {
    const store = await engine.open({ migrations: mediaStackStore.migrations });
    repo = mediaStackStore.open(store.engine);
  });

  it('lists newest first per reader, filters by type and unread, counts and marks read once', async () => {
    const first = await repo.create(note(1));
    expect(first).toEqual({ ...note(1), id: first.id, readAt: undefined });
    const second = await repo.create(note(2, 'download_completed'));
    await repo.create(note(3));
    const ids = async (q: Partial<Parameters<MediaStackRepositories['list']>[0]>) =>
      (
        await repo.list({ reader: 'user:1', unreadOnly: false, types: undefined, limit: 10, ...q })
      ).map((n) => n.title);
    expect(await ids({})).toEqual(['t3', 't2', 't1']);
    expect(await ids({ limit: 2 })).toEqual(['t3', 't2']);
    expect(await ids({ types: ['download_completed'] })).toEqual(['t2']);
    expect(await repo.markRead(second.id, 'user:1', 'r1')).toBe(true);
    expect(await repo.markRead(second.id, 'user:1', 'r2')).toBe(true);
    expect(await repo.markRead(9999, 'user:1', 'r1')).toBe(false);
    expect(await ids({ unreadOnly: true })).toEqual(['t3', 't1']);
    expect(await repo.find(second.id, 'user:1')).toMatchObject({ readAt: 'r1' });
    expect(await repo.find(second.id, 'display:x')).toMatchObject({ readAt: undefined });
    expect(await repo.find(first.id, 'user:1')).toMatchObject({ data: { service: 'plex', n: 1 } });
    expect(await repo.counts('user:1')).toEqual({
      total: 3,
      unread: 2,
      byType: { service_down: 2, download_completed: 1 },
      byPriority: { normal: 2, high: 1 },
    });
    expect((await repo.ping()).version).toMatch(/^\d+\.\d+/);
  });

  it('cleans up what is older than the cut and all but the newest kept', async () => {
    for (let n = 1; n <= 5; n++) await repo.create(note(n));
    expect(await repo.cleanup('2025-01-02T00:00:00.000Z', 3)).toBe(2);
    expect((await repo.counts('r')).total).toBe(3);
    expect(await repo.cleanup('2025-01-01T00:00:00.000Z', 2)).toBe(1);
    const left = await repo.list({ reader: 'r', unreadOnly: false, types: undefined, limit: 10 });
    expect(left.map((n) => n.title)).toEqual(['t5', 't4']);
  });
});
