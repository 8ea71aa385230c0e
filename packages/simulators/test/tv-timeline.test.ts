/**
 * One screen's timeline on its own, time passed in by hand: order, plays and durations, repeat
 * settings, files the TV does not hold, and the viewer's controls.
 */
import type { MediaItem, Playlist } from '@marquee/sdk/device';
import { describe, expect, it } from 'vitest';
import { Timeline, type ProofOfPlay } from '../src/tv/timeline';

function item(mediaId: number, seconds: number, extra: Partial<MediaItem> = {}): MediaItem {
  return {
    media_id: mediaId,
    order: mediaId,
    media_name: `m${mediaId}.jpg`,
    media_type: 'image',
    mimetype: 'image/jpeg',
    media_url: `/media/images/m${mediaId}.jpg`,
    file_size: 10,
    checksum: '5d41402abc4b2a76b9719d911017c592',
    layout: { x: 0, y: 0, width: 1920, height: 1080, z_index: 1 },
    timing: { start_time: 0, duration: seconds, loop: false },
    effects: { fade_in: false, fade_out: false, transition: 'none' },
    n_time_play: 1,
    ...extra,
  };
}

function playlist(items: MediaItem[], repeat = true, repeatCount = -1): Playlist {
  return {
    id: 7,
    name: 'P',
    width: 1920,
    height: 1080,
    duration: 0,
    media_items: items,
    playback_config: { repeat, repeat_count: repeatCount, background_color: '#000000' },
    status: {
      is_ready: true,
      all_downloaded: true,
      missing_files: [],
      last_verified: '2025-01-15T10:30:00Z',
    },
  };
}

function timeline(p: Playlist, available: (item: MediaItem) => boolean = () => true) {
  const log: ProofOfPlay[] = [];
  const t = new Timeline(
    p,
    'front_screen',
    { isAvailable: available, wall: (at) => at, log: (entry) => log.push(entry) },
    0,
  );
  const played = () => log.map((e) => `${e.mediaId}@${e.start}-${e.end}${e.completed ? '' : '!'}`);
  return { t, log, played };
}

describe('Timeline', () => {
  it('plays by order, n_time_play times each, and skips items without duration or plays', () => {
    const { t, played } = timeline(
      playlist([
        item(3, 2),
        item(1, 1, { n_time_play: 2 }),
        item(2, 0),
        item(4, 5, { n_time_play: 0 }),
      ]),
    );
    t.advanceTo(4000);
    expect(played()).toEqual(['1@0-1000', '1@1000-2000', '3@2000-4000']);
    expect(t.nowPlaying).toMatchObject({ mediaId: 1, play: 1, plays: 2 });
  });

  it('stops after its repeats: once without repeat, 1 + repeat_count passes with it', () => {
    const once = timeline(playlist([item(1, 1)], false));
    once.t.advanceTo(10_000);
    expect(once.played()).toEqual(['1@0-1000']);
    expect(once.t.finished).toBe(true);
    expect(once.t.dueAt()).toBeUndefined();

    const twice = timeline(playlist([item(1, 1)], true, 1));
    twice.t.advanceTo(10_000);
    expect(twice.played()).toEqual(['1@0-1000', '1@1000-2000']);
    expect(twice.t.finished).toBe(true);
  });

  it('skips files the TV does not hold, and waits for a wake() when it holds none', () => {
    const held = new Set<number>([2]);
    const { t, played } = timeline(playlist([item(1, 1), item(2, 1)]), (i) => held.has(i.media_id));
    t.advanceTo(2500);
    expect(played()).toEqual(['2@0-1000', '2@1000-2000']);

    held.clear();
    t.advanceTo(3000);
    expect(t.nowPlaying).toBeUndefined();
    t.advanceTo(60_000);
    expect(played()).toHaveLength(3);

    held.add(1);
    t.wake(60_000);
    t.advanceTo(61_000);
    expect(played().at(-1)).toBe('1@60000-61000');
  });

  it('pauses without counting the paused time, and next / previous / jump cut the showing short', () => {
    const { t, log, played } = timeline(playlist([item(1, 10), item(2, 10), item(3, 10)]));
    t.pause(2000);
    t.advanceTo(50_000);
    expect(log).toEqual([]);
    t.play(50_000);
    t.next(51_000);
    expect(log[0]).toMatchObject({ mediaId: 1, durationMs: 3000, completed: false });
    expect(t.nowPlaying).toMatchObject({ mediaId: 2, paused: false });

    t.previous(52_000);
    expect(t.nowPlaying?.mediaId).toBe(1);
    t.previous(53_000);
    expect(t.nowPlaying?.mediaId).toBe(3);
    t.next(54_000);
    expect(t.nowPlaying?.mediaId).toBe(1);

    expect(t.jump(55_000, { mediaIndex: 1 })).toBe(true);
    expect(t.nowPlaying?.mediaId).toBe(2);
    expect(t.jump(56_000, { mediaId: 3, mediaIndex: 0 })).toBe(true);
    expect(t.nowPlaying?.mediaId).toBe(3);
    expect(t.jump(57_000, { mediaId: 99 })).toBe(false);
    expect(t.nowPlaying?.mediaId).toBe(3);
    expect(played()).toEqual([
      '1@0-51000!',
      '2@51000-52000!',
      '1@52000-53000!',
      '3@53000-54000!',
      '1@54000-55000!',
      '2@55000-56000!',
    ]);
  });
});
