/**
 * The signage repositories directly, on SQLite and on PostgreSQL: ownership on upsert, media in use, playlist items
 * with their media, stable screen ids, the command state machine (order, guards, expiry)
 * surviving a reopen of the file, device health, and proof of play (de-duplication, filters,
 * keyset export chunks, retention and the row cap).
 */
import { MarqueeError } from '@marquee/sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Store } from '../../src/core/store';
import { signageStore, type SignageRepositories } from '../../src/surfaces/signage/store';
import type { SignagePlayRecord } from '../../src/surfaces/signage/store/types';
import { describeEachEngine } from '../helpers/engines';
import { postgresForTests } from '../helpers/postgres';
import { deviceBody } from './helpers';
import { ackChange, queueCommands, sentChange } from './state-changes';

const pg = await postgresForTests();
const AT = '2025-01-15T10:00:00.000Z';
const LATER = '2025-01-15T11:00:00.000Z';

describeEachEngine(pg, 'signage store', (engine) => {
  let store: Store;
  let signage: SignageRepositories;

  beforeEach(async () => {
    store = await engine.open({ migrations: signageStore.migrations });
    signage = signageStore.open(store.engine);
  });

  const info = (sn: string) => ({ ...deviceBody(sn), brightness: 50, volume: 50 });

  async function media(name = 'a.jpg') {
    return signage.media.create(
      {
        mediaName: name,
        mediaType: 'image',
        mimetype: 'image/jpeg',
        fileSize: 10,
        checksum: '5d41402abc4b2a76b9719d911017c592',
        createdAt: AT,
      },
      (id) => `images/${id}_${name}`,
    );
  }

  describe('devices', () => {
    it('keeps the first owner and reports created vs updated', async () => {
      const ann = await store.users.create({ username: 'ann', passwordHash: 'h', role: 'device' });
      const bob = await store.users.create({ username: 'bob', passwordHash: 'h', role: 'device' });
      const first = await signage.devices.upsert(info('SN-1'), null, AT);
      expect(first).toMatchObject({ created: true, device: { ownerUserId: null } });
      const claimed = await signage.devices.upsert(info('SN-1'), ann.id, LATER);
      expect(claimed).toMatchObject({
        created: false,
        device: { ownerUserId: ann.id, ownerUsername: 'ann', registeredAt: AT, updatedAt: LATER },
      });
      const kept = await signage.devices.upsert(info('SN-1'), bob.id, LATER);
      expect(kept.device.ownerUsername).toBe('ann');
    });

    it('lists and counts by search (sn, brand, model; any case), among/except and page', async () => {
      for (const sn of ['b-2', 'A-1', 'c-3', 'a_%']) {
        await signage.devices.upsert(info(sn), null, AT);
      }
      await signage.devices.upsert({ ...info('d-4'), model: 'Lobby Panel' }, null, AT);
      const sns = async (...args: Parameters<SignageRepositories['devices']['list']>) =>
        (await signage.devices.list(...args)).map((d) => d.snNumber);
      expect(await sns()).toEqual(['A-1', 'a_%', 'b-2', 'c-3', 'd-4']);
      expect(await sns({}, { limit: 2, offset: 1 })).toEqual(['a_%', 'b-2']);
      expect(await sns({}, { offset: 4 })).toEqual(['d-4']);
      expect(await sns({ search: 'a-' })).toEqual(['A-1']);
      // LIKE wildcards are plain characters.
      expect(await sns({ search: '_%' })).toEqual(['a_%']);
      expect(await sns({ search: 'LOBBY' })).toEqual(['d-4']);
      expect(await signage.devices.count({ search: 'galaxy' })).toBe(4);
      expect(await sns({ among: ['c-3', 'A-1', 'zz'] })).toEqual(['A-1', 'c-3']);
      expect(await sns({ except: ['c-3', 'A-1'], search: 'GALAXY' })).toEqual(['a_%', 'b-2']);
      expect(await signage.devices.count({ among: [] })).toBe(0);
      expect(await signage.devices.count()).toBe(5);
    });

    it('deletes a device with its screens, reports, commands and screenshots, not its owner', async () => {
      const ann = await store.users.create({ username: 'ann', passwordHash: 'h', role: 'device' });
      await signage.devices.upsert(info('SN-1'), ann.id, AT);
      await signage.devices.upsert(info('SN-2'), ann.id, AT);
      for (const sn of ['SN-1', 'SN-2']) {
        await signage.screens.put(
          {
            snNumber: sn,
            position: 'front',
            screenName: 'Front',
            resolution: '1920x1080',
            playlistIds: [],
            currentPlaylistId: null,
          },
          AT,
        );
        await signage.reports.put({
          snNumber: sn,
          playlistId: 101,
          status: 'ready',
          totalItems: 1,
          downloadedItems: 1,
          missingFiles: [],
          error: null,
          reportedAt: AT,
        });
        await signage.commands.createMany([
          {
            id: `cmd-${sn}`,
            snNumber: sn,
            command: { action: 'play' },
            createdAt: AT,
            expiresAt: LATER,
          },
        ]);
        await signage.screenshots.create({
          snNumber: sn,
          mediaId: 1,
          path: `${sn}/shot.jpg`,
          fileSize: 3,
          createdAt: AT,
        });
      }
      expect(await signage.devices.delete('SN-1')).toEqual({
        screenshotPaths: ['SN-1/shot.jpg'],
      });
      expect(await signage.devices.delete('SN-1')).toBeUndefined();
      expect(await signage.devices.find('SN-1')).toBeUndefined();
      expect(await signage.screens.listForDevice('SN-1')).toEqual([]);
      expect(await signage.reports.listForDevice('SN-1')).toEqual([]);
      expect(await signage.commands.find('cmd-SN-1')).toBeUndefined();
      expect(await signage.screenshots.listForDevice('SN-1', 10)).toEqual([]);
      expect(await store.users.findById(ann.id)).toMatchObject({ username: 'ann' });
      // The other device keeps everything.
      expect(await signage.screens.listForDevice('SN-2')).toHaveLength(1);
      expect(await signage.reports.listForDevice('SN-2')).toHaveLength(1);
      expect(await signage.commands.find('cmd-SN-2')).toBeDefined();
      expect(await signage.screenshots.listForDevice('SN-2', 10)).toHaveLength(1);
    });
  });

  describe('media and playlists', () => {
    it('names the file from the id, joins items with their media and refuses deleting used media', async () => {
      const a = await media('a.jpg');
      expect(a.path).toBe(`images/${a.id}_a.jpg`);
      expect((await signage.media.findByPath(a.path))?.id).toBe(a.id);
      const playlist = await signage.playlists.create(
        {
          name: 'P',
          width: 1920,
          height: 1080,
          playbackConfig: { repeat: true, repeat_count: -1, background_color: '#000000' },
          schedule: null,
          items: [
            {
              mediaId: a.id,
              order: 1,
              layout: { x: 0, y: 0, width: 1920, height: 1080, z_index: 1 },
              timing: { start_time: 0, duration: 10, loop: false },
              effects: { fade_in: true, fade_out: false, transition: 'fade' },
              nTimePlay: 2,
            },
          ],
        },
        AT,
      );
      expect(playlist.items[0]?.media).toEqual(a);
      expect(await signage.media.usedBy(a.id)).toEqual([playlist.id]);
      await expect(signage.media.delete(a.id)).rejects.toThrow(MarqueeError);
      expect(await signage.playlists.delete(playlist.id)).toBe(true);
      expect(await signage.media.delete(a.id)).toBe(true);
      expect(await signage.media.delete(a.id)).toBe(false);
    });

    it('round-trips a playlist schedule through create and update, and clears it', async () => {
      const schedule = [
        { days: ['mon' as const, 'fri' as const], start: '22:00', end: '02:00' },
        { days: ['sun' as const], start: '00:00', end: '24:00' },
      ];
      const write = {
        name: 'Night',
        width: 1,
        height: 1,
        playbackConfig: { repeat: true, repeat_count: -1, background_color: '#000000' },
        schedule,
        items: [],
      };
      const created = await signage.playlists.create(write, AT);
      expect(created.schedule).toEqual(schedule);
      expect((await signage.playlists.find(created.id))?.schedule).toEqual(schedule);
      const other = [{ days: ['tue' as const], start: '09:00', end: '17:30' }];
      await signage.playlists.update(created.id, { ...write, schedule: other }, LATER);
      expect((await signage.playlists.findMany([created.id]))[0]?.schedule).toEqual(other);
      await signage.playlists.update(created.id, { ...write, schedule: null }, LATER);
      expect(
        (await signage.playlists.list()).find((p) => p.id === created.id)?.schedule,
      ).toBeNull();
    });

    it('keeps a screen id when the screen is replaced, and drops deleted playlists from it', async () => {
      await signage.devices.upsert(info('SN-1'), null, AT);
      const p = await signage.playlists.create(
        {
          name: 'P',
          width: 1,
          height: 1,
          playbackConfig: { repeat: false, repeat_count: 1, background_color: '#fff' },
          schedule: null,
          items: [],
        },
        AT,
      );
      const screen = {
        snNumber: 'SN-1',
        position: 'front' as const,
        screenName: 'Front',
        resolution: '1920x1080',
        playlistIds: [p.id],
        currentPlaylistId: p.id,
      };
      const first = await signage.screens.put(screen, AT);
      const second = await signage.screens.put({ ...screen, screenName: 'Lobby' }, LATER);
      expect(second).toMatchObject({ id: first.id, screenName: 'Lobby', playlistIds: [p.id] });
      expect(await signage.screens.devicesWithPlaylist(p.id)).toEqual(['SN-1']);
      await signage.playlists.delete(p.id);
      expect(await signage.screens.listForDevice('SN-1')).toMatchObject([
        { playlistIds: [], currentPlaylistId: null },
      ]);
    });
  });

  describe('screenshots', () => {
    it('prunes a device to its newest rows and answers the paths it deleted', async () => {
      for (const sn of ['SN-1', 'SN-2']) await signage.devices.upsert(info(sn), null, AT);
      const shot = (sn: string, n: number) =>
        signage.screenshots.create({
          snNumber: sn,
          mediaId: n,
          path: `${sn}/${n}.jpg`,
          fileSize: 1,
          createdAt: AT,
        });
      for (let n = 1; n <= 4; n++) await shot('SN-1', n);
      await shot('SN-2', 9);
      // Fewer rows than kept: nothing goes.
      expect(await signage.screenshots.pruneForDevice('SN-1', 4)).toEqual([]);
      expect((await signage.screenshots.pruneForDevice('SN-1', 2)).sort()).toEqual([
        'SN-1/1.jpg',
        'SN-1/2.jpg',
      ]);
      expect((await signage.screenshots.listForDevice('SN-1', 10)).map((s) => s.mediaId)).toEqual([
        4, 3,
      ]);
      expect(await signage.screenshots.listForDevice('SN-2', 10)).toHaveLength(1);
    });
  });

  describe('commands', () => {
    it('keep creation order, move queued → sent → acked once, expire only queued ones, across reopen', async () => {
      await signage.devices.upsert(info('SN-1'), null, AT);
      const make = (id: string, expiresAt: string) => ({
        id,
        snNumber: 'SN-1',
        command: { action: 'play' as const, command_id: id },
        createdAt: AT,
        expiresAt,
      });
      await signage.commands.createMany([make('c', LATER), make('a', LATER), make('b', AT)]);
      expect((await signage.commands.queued('SN-1')).map((c) => c.id)).toEqual(['c', 'a', 'b']);

      expect(await signage.commands.markSent('c', AT)).toBe(true);
      expect(await signage.commands.markSent('c', AT)).toBe(false);
      expect(await signage.commands.settle('a', { ok: true, error: null }, AT)).toBeUndefined();
      expect((await signage.commands.settle('c', { ok: false, error: 'busy' }, AT))?.state).toBe(
        'failed',
      );
      expect(await signage.commands.settle('c', { ok: true, error: null }, AT)).toBeUndefined();
      expect(await signage.commands.expireDue(AT)).toBe(1);
      expect((await signage.commands.find('b'))?.state).toBe('expired');
      await signage.devices.upsert(info('SN-2'), null, AT);
      expect(await signage.commands.countQueuedFor(['SN-1', 'SN-2', 'SN-404'])).toEqual(
        new Map([['SN-1', 1]]),
      );

      expect(await signage.commands.countByState()).toEqual(
        new Map([
          ['queued', 1],
          ['failed', 1],
          ['expired', 1],
        ]),
      );

      await store.close();
      store = await engine.open({ migrations: signageStore.migrations });
      signage = signageStore.open(store.engine);
      expect((await signage.commands.queued('SN-1')).map((c) => c.id)).toEqual(['a']);
      expect(
        (await signage.commands.listForDevice('SN-1', { limit: 10 })).map((c) => c.id),
      ).toEqual(['b', 'a', 'c']);
    });
  });

  describe('applyStateChanges (batched command state changes)', () => {
    const queue = (sn: string, ...ids: string[]) => queueCommands(signage, sn, ...ids);
    const sent = (id: string) => sentChange(id);
    const ack = ackChange;
    const states = async (...ids: string[]): Promise<Record<string, string | undefined>> => {
      const out: Record<string, string | undefined> = {};
      for (const id of ids) out[id] = (await signage.commands.find(id))?.state;
      return out;
    };

    it('applies in array order in one transaction and answers per change with its guard', async () => {
      for (const sn of ['SN-1', 'SN-2']) await signage.devices.upsert(info(sn), null, AT);
      await queue('SN-1', 'a', 'b');
      await queue('SN-2', 'c');
      expect(await signage.commands.applyStateChanges([])).toEqual([]);
      const results = await signage.commands.applyStateChanges([
        sent('a'),
        sent('a'), // no longer queued
        ack('a'),
        ack('a'), // already acked
        sent('c'),
        ack('c', 'SN-1'), // not this device's command
        { kind: 'touch', snNumber: 'SN-2', at: LATER },
        { kind: 'touch', snNumber: 'SN-NONE', at: LATER },
        { kind: 'readyPlaylists', snNumber: 'SN-2', playlistIds: [3, 1], at: LATER },
        sent('b'),
        { kind: 'requeue', id: 'b' },
        { kind: 'resent', id: 'c', at: LATER },
        { kind: 'requeue', id: 'b' }, // already queued
      ]);
      expect(results.map((r) => r.changed)).toEqual([
        true,
        false,
        true,
        false,
        true,
        false,
        true,
        false,
        true,
        true,
        true,
        true,
        false,
      ]);
      expect(results[2]?.command).toMatchObject({ id: 'a', state: 'acked', ackedAt: LATER });
      expect(await states('a', 'b', 'c')).toEqual({ a: 'acked', b: 'queued', c: 'sent' });
      expect((await signage.commands.find('c'))?.sentAt).toBe(LATER);
      expect((await signage.commands.find('b'))?.sentAt).toBeNull();
      expect(await signage.devices.find('SN-2')).toMatchObject({
        lastSeenAt: LATER,
        readyPlaylists: [3, 1],
        readyPlaylistsAt: LATER,
      });
    });

    it('is all or nothing: a statement failing mid-batch leaves every change unapplied', async () => {
      for (const sn of ['SN-1', 'SN-BAD']) await signage.devices.upsert(info(sn), null, AT);
      await queue('SN-1', 'a');
      // A real statement fails mid-batch: a trigger refuses one device's last-seen write.
      if (store.engine.kind === 'sqlite') {
        store.engine.db.exec(`CREATE TRIGGER refuse_bad BEFORE UPDATE OF last_seen_at
          ON signage_devices WHEN NEW.sn_number = 'SN-BAD'
          BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
      } else {
        await store.engine.pool.query(`
          CREATE FUNCTION refuse_bad() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'injected failure'; END $$;
          CREATE TRIGGER refuse_bad BEFORE UPDATE OF last_seen_at ON signage_devices
          FOR EACH ROW WHEN (NEW.sn_number = 'SN-BAD') EXECUTE FUNCTION refuse_bad();`);
      }
      await expect(
        signage.commands.applyStateChanges([
          sent('a'),
          { kind: 'touch', snNumber: 'SN-1', at: LATER },
          { kind: 'touch', snNumber: 'SN-BAD', at: LATER },
        ]),
      ).rejects.toThrow('injected failure');
      expect(await states('a')).toEqual({ a: 'queued' });
      expect((await signage.devices.find('SN-1'))?.lastSeenAt).toBeNull();
      // The store is usable afterwards.
      expect((await signage.commands.applyStateChanges([sent('a')]))[0]?.changed).toBe(true);
    });
  });

  describe('bounded command queue', () => {
    it('leaves out what would put a device past maxQueuedPerDevice, counting only queued', async () => {
      for (const sn of ['SN-1', 'SN-2']) await signage.devices.upsert(info(sn), null, AT);
      const make = (id: string, snNumber: string) => ({
        id,
        snNumber,
        command: { action: 'play' as const, command_id: id },
        createdAt: AT,
        expiresAt: LATER,
      });
      await signage.commands.createMany([make('s', 'SN-1')]);
      expect(await signage.commands.markSent('s', AT)).toBe(true);
      const created = await signage.commands.createMany(
        [make('a', 'SN-1'), make('b', 'SN-2'), make('c', 'SN-1'), make('d', 'SN-1')],
        2,
      );
      expect(created.map((c) => c.id)).toEqual(['a', 'b', 'c']);
      expect(await signage.commands.find('d')).toBeUndefined();
      const again = await signage.commands.createMany([make('e', 'SN-1'), make('f', 'SN-2')], 2);
      expect(again.map((c) => c.id)).toEqual(['f']);
    });
  });

  describe('plays (proof of play)', () => {
    const play = (
      sn: string,
      id: string,
      startedAt: string,
      extra: Partial<SignagePlayRecord> = {},
    ) =>
      ({
        snNumber: sn,
        playId: id,
        playlistId: 1,
        mediaId: 10,
        zone: 'main',
        startedAt,
        endedAt: startedAt,
        durationMs: 10_000,
        completed: true,
        receivedAt: LATER,
        ...extra,
      }) satisfies SignagePlayRecord;
    const at = (minute: number) => `2025-01-15T10:${String(minute).padStart(2, '0')}:00.000Z`;

    it('counts a (device, play id) once, also inside one batch, and keeps the first', async () => {
      expect(
        await signage.plays.insert([
          play('SN-1', 'p1', at(1)),
          play('SN-1', 'p2', at(2), { completed: false, durationMs: 1234 }),
          play('SN-1', 'p2', at(3), { mediaId: 99 }),
          play('SN-2', 'p1', at(1)),
        ]),
      ).toBe(3);
      expect(
        await signage.plays.insert([play('SN-1', 'p1', at(9)), play('SN-1', 'p3', at(4))]),
      ).toBe(1);
      expect(await signage.plays.insert([])).toBe(0);
      const all = await signage.plays.list({}, {});
      expect(all.map((p) => `${p.snNumber}/${p.playId}@${p.startedAt.slice(11, 16)}`)).toEqual([
        'SN-1/p1@10:01',
        'SN-2/p1@10:01',
        'SN-1/p2@10:02',
        'SN-1/p3@10:04',
      ]);
      expect(all[2]).toEqual(play('SN-1', 'p2', at(2), { completed: false, durationMs: 1234 }));
    });

    it('lists, counts and pages by device, period, media and playlist', async () => {
      await signage.plays.insert([
        play('SN-1', 'a', at(1)),
        play('SN-1', 'b', at(2), { mediaId: 11 }),
        play('SN-2', 'c', at(3), { playlistId: 2 }),
        play('SN-1', 'd', at(4), { mediaId: 11, playlistId: 2 }),
      ]);
      const ids = async (filter: Parameters<typeof signage.plays.list>[0], page = {}) =>
        (await signage.plays.list(filter, page)).map((p) => p.playId);
      expect(await ids({ snNumber: 'SN-1' })).toEqual(['a', 'b', 'd']);
      expect(await ids({ from: at(2), to: at(4) })).toEqual(['b', 'c']);
      expect(await ids({ mediaId: 11 })).toEqual(['b', 'd']);
      expect(await ids({ playlistId: 2, snNumber: 'SN-1' })).toEqual(['d']);
      expect(await ids({}, { limit: 2, offset: 1 })).toEqual(['b', 'c']);
      expect(await signage.plays.count({})).toBe(4);
      expect(await signage.plays.count({ snNumber: 'SN-1', mediaId: 11 })).toBe(2);
      expect(await signage.plays.count({ snNumber: 'SN-404' })).toBe(0);
    });

    it('exports in keyset chunks that neither skip nor repeat plays sharing a start', async () => {
      // Three plays start at the same instant: the cursor's arrival order separates them.
      await signage.plays.insert([
        play('SN-1', 'a', at(1)),
        play('SN-2', 'b', at(2)),
        play('SN-3', 'c', at(2)),
        play('SN-4', 'd', at(2)),
        play('SN-1', 'e', at(3)),
        play('SN-1', 'f', at(5), { mediaId: 11 }),
      ]);
      const seen: string[] = [];
      let cursor: Parameters<typeof signage.plays.listAfter>[1];
      for (;;) {
        const chunk = await signage.plays.listAfter({}, cursor, 2);
        seen.push(...chunk.plays.map((p) => p.playId));
        if (chunk.plays.length < 2) break;
        cursor = chunk.next;
      }
      expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      const filtered = await signage.plays.listAfter({ snNumber: 'SN-1' }, undefined, 10);
      expect(filtered.plays.map((p) => p.playId)).toEqual(['a', 'e', 'f']);
      const after = await signage.plays.listAfter({ snNumber: 'SN-1' }, filtered.next, 10);
      expect(after).toEqual({ plays: [], next: undefined });
    });

    it('prunes plays past retention, then all but the newest rows received', async () => {
      await signage.plays.insert([
        play('SN-1', 'old', '2024-12-01T00:00:00.000Z'),
        ...Array.from({ length: 5 }, (_, n) => play('SN-1', `n${n}`, at(n + 1))),
      ]);
      expect(await signage.plays.prune('2025-01-01T00:00:00.000Z', 100)).toBe(1);
      expect(await signage.plays.prune('2025-01-01T00:00:00.000Z', 3)).toBe(2);
      expect((await signage.plays.list({}, {})).map((p) => p.playId)).toEqual(['n2', 'n3', 'n4']);
      // The play ids freed by pruning are new again.
      expect(await signage.plays.insert([play('SN-1', 'n0', at(0))])).toBe(1);
    });

    it('prunes one device to its newest plays by start and leaves the others alone', async () => {
      await signage.plays.insert([
        ...Array.from({ length: 5 }, (_, n) => play('SN-1', `a${n}`, at(4 - n))),
        ...Array.from({ length: 3 }, (_, n) => play('SN-2', `b${n}`, at(n))),
      ]);
      expect(await signage.plays.pruneDevice('SN-1', 10)).toBe(0);
      expect(await signage.plays.pruneDevice('SN-1', 2)).toBe(3);
      expect((await signage.plays.list({ snNumber: 'SN-1' }, {})).map((p) => p.playId)).toEqual([
        'a1',
        'a0',
      ]);
      expect(await signage.plays.count({ snNumber: 'SN-2' })).toBe(3);
      expect(await signage.plays.pruneDevice('SN-1', 0)).toBe(2);
      expect(await signage.plays.count({})).toBe(3);
    });
  });

  describe('transactions and concurrency', () => {
    it('concurrent createMany calls from two connections never overshoot the bound', async () => {
      await signage.devices.upsert(info('SN-1'), null, AT);
      const other = signageStore.open(
        (await engine.open({ migrations: signageStore.migrations })).engine,
      );
      const batch = (prefix: string) =>
        Array.from({ length: 5 }, (_, n) => ({
          id: `${prefix}${n}`,
          snNumber: 'SN-1',
          command: { action: 'play' as const, command_id: `${prefix}${n}` },
          createdAt: AT,
          expiresAt: LATER,
        }));
      const [a, b] = await Promise.all([
        signage.commands.createMany(batch('a'), 3),
        other.commands.createMany(batch('b'), 3),
      ]);
      expect(a.length + b.length).toBe(3);
      expect(await signage.commands.countQueuedFor(['SN-1'])).toEqual(new Map([['SN-1', 3]]));
      // Delivery order is creation order, whichever call won.
      expect((await signage.commands.queued('SN-1')).map((c) => c.id)).toEqual(
        [...a, ...b].map((c) => c.id),
      );
    });

    it('stores no media row when placing the file fails, and the row when it succeeds', async () => {
      const record = {
        mediaName: 'x.jpg',
        mediaType: 'image' as const,
        mimetype: 'image/jpeg',
        fileSize: 1,
        checksum: 'c',
        createdAt: AT,
      };
      const placed: string[] = [];
      await expect(
        signage.media.create(
          record,
          (id) => `images/${id}`,
          () => {
            throw new Error('disk full');
          },
        ),
      ).rejects.toThrow('disk full');
      expect(await signage.media.list()).toEqual([]);
      const ok = await signage.media.create(
        record,
        (id) => `images/${id}`,
        (path) => {
          placed.push(path);
        },
      );
      expect(placed).toEqual([ok.path]);
      expect(await signage.media.list()).toEqual([ok]);
    });

    it('keeps levels, ready playlists and the current playlist of a device', async () => {
      await signage.devices.upsert(info('SN-1'), null, AT);
      const p = await signage.playlists.create(
        {
          name: 'P',
          width: 1,
          height: 1,
          playbackConfig: { repeat: false, repeat_count: 1, background_color: '#fff' },
          schedule: null,
          items: [],
        },
        AT,
      );
      await signage.devices.setLevel('SN-1', 'brightness', 80, LATER);
      await signage.devices.setReadyPlaylists('SN-1', [p.id, 7], LATER);
      await signage.devices.setCurrentPlaylist('SN-1', p.id);
      await signage.devices.touch('SN-1', LATER);
      expect(await signage.devices.find('SN-1')).toMatchObject({
        info: { brightness: 80, volume: 50 },
        updatedAt: LATER,
        lastSeenAt: LATER,
        readyPlaylists: [p.id, 7],
        readyPlaylistsAt: LATER,
        currentPlaylistId: p.id,
      });
      await signage.devices.setCurrentPlaylist('SN-1', 999);
      expect((await signage.devices.find('SN-1'))?.currentPlaylistId).toBeNull();
      await expect(
        signage.playlists.update(
          p.id,
          {
            name: 'P',
            width: 1,
            height: 1,
            playbackConfig: { repeat: false, repeat_count: 1, background_color: '#fff' },
            schedule: null,
            items: [
              {
                mediaId: 4242,
                order: 1,
                layout: { x: 0, y: 0, width: 1, height: 1, z_index: 1 },
                timing: { start_time: 0, duration: 10, loop: false },
                effects: { fade_in: false, fade_out: false, transition: 'none' },
                nTimePlay: 1,
              },
            ],
          },
          LATER,
        ),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining('media_items[0]'),
      });
      expect(await signage.playlists.update(999, { ...p, items: [] }, LATER)).toBeUndefined();
      expect((await signage.playlists.findMany([p.id, 999])).map((x) => x.id)).toEqual([p.id]);
    });

    it('keeps the latest health report of a device, and none before the first', async () => {
      await signage.devices.upsert(info('SN-1'), null, AT);
      expect((await signage.devices.find('SN-1'))?.health).toBeNull();
      const report = {
        app_version: '1.2.3',
        uptime_s: 3600,
        screen_width: 1920,
        screen_height: 1080,
        cache_bytes: 5_000_000_000,
        unsent_plays: 0,
        temperature_c: 41.5,
      };
      await signage.devices.setHealth('SN-1', report, AT);
      await signage.devices.setHealth('SN-1', { ...report, uptime_s: 7200 }, LATER);
      // Unknown devices are left alone (no row appears).
      await signage.devices.setHealth('SN-404', report, LATER);
      expect((await signage.devices.find('SN-1'))?.health).toEqual({
        report: { ...report, uptime_s: 7200 },
        at: LATER,
      });
      expect(await signage.devices.find('SN-404')).toBeUndefined();
      const [listed] = await signage.devices.list({}, {});
      expect(listed?.health?.report.cache_bytes).toBe(5_000_000_000);
    });

    it('pairs: pending codes, approval, expiry, and one binding per serial and per account', async () => {
      const ann = await store.users.create({ username: 'ann', passwordHash: 'h', role: 'device' });
      const bob = await store.users.create({ username: 'bob', passwordHash: 'h', role: 'device' });
      const pairing = {
        id: 'p1',
        code: 'ABCDEF23',
        secretHash: 's',
        snHint: null,
        hint: 'lobby',
        ip: '127.0.0.1',
        createdAt: AT,
        expiresAt: LATER,
      };
      await signage.pairings.create(pairing);
      await expect(signage.pairings.create({ ...pairing, id: 'p2' })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      expect(await signage.pairings.findPending('ABCDEF23', AT)).toEqual({
        ...pairing,
        approval: null,
      });
      expect(await signage.pairings.countPending(AT)).toBe(1);
      expect(await signage.pairings.listPending(LATER)).toEqual([]);
      await signage.pairings.approve('p1', { userId: ann.id, snNumber: 'SN-1' });
      expect(await signage.pairings.findById('p1')).toMatchObject({
        approval: { userId: ann.id, snNumber: 'SN-1' },
      });
      expect(await signage.pairings.findPending('ABCDEF23', AT)).toBeUndefined();
      expect(await signage.pairings.deleteExpired(LATER)).toBe(1);
      expect(await signage.pairings.delete('p1')).toBe(false);

      await signage.deviceAccounts.bind({
        userId: ann.id,
        snNumber: 'SN-1',
        name: 'A',
        pairedAt: AT,
      });
      await signage.deviceAccounts.bind({
        userId: bob.id,
        snNumber: 'SN-1',
        name: 'B',
        pairedAt: AT,
      });
      expect(await signage.deviceAccounts.findByUser(ann.id)).toBeUndefined();
      expect(await signage.deviceAccounts.findBySerial('SN-1')).toEqual({
        userId: bob.id,
        snNumber: 'SN-1',
        name: 'B',
        pairedAt: AT,
      });
      await signage.deviceAccounts.bind({
        userId: bob.id,
        snNumber: 'SN-2',
        name: 'C',
        pairedAt: LATER,
      });
      expect(await signage.deviceAccounts.findBySerial('SN-1')).toBeUndefined();
      expect((await signage.deviceAccounts.findByUser(bob.id))?.snNumber).toBe('SN-2');
    });
  });
});
