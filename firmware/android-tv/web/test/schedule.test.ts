import { describe, expect, it } from 'vitest';
import {
  findTarget,
  nextItemStart,
  nextStep,
  placeOnScreen,
  previousItemStart,
  sameSchedule,
  zonesOf,
} from '../src/schedule';
import { item, playlist } from './fixtures';

describe('zonesOf', () => {
  it('orders by `order` then position, repeats n_time_play and leaves out unplayable items', () => {
    const p = playlist(1, [
      item(3, { order: 2, duration: 4 }),
      item(1, { order: 1, n_time_play: 2, duration: 2.5 }),
      item(2, { order: 2 }),
      item(4, { duration: 0 }),
      item(5, { n_time_play: 0 }),
    ]);
    const [zone, ...rest] = zonesOf(p);
    expect(rest).toEqual([]);
    expect(zone?.slots.map((s) => [s.item.media_id, s.play, s.plays, s.durationMs])).toEqual([
      [1, 1, 2, 2500],
      [1, 2, 2, 2500],
      [3, 1, 1, 4000],
      [2, 1, 1, 5000],
    ]);
  });

  it('cuts items into zones by layout, lowest z first, each with its own sequence', () => {
    const ticker = { x: 0, y: 960, width: 1920, height: 120, z_index: 5 };
    const p = playlist(1, [
      item(1, { layout: ticker }),
      item(2),
      item(3, { layout: ticker }),
      item(4),
    ]);
    const zones = zonesOf(p);
    expect(zones.map((z) => [z.key, z.zIndex, z.slots.map((s) => s.item.media_id)])).toEqual([
      ['0,0,1920,1080,1', 1, [2, 4]],
      ['0,960,1920,120,5', 5, [1, 3]],
    ]);
    expect(placeOnScreen(zones[1]!.layout, p)).toEqual({
      x: 0,
      y: 960 / 1080,
      width: 1,
      height: 120 / 1080,
    });
  });
});

describe('sameSchedule', () => {
  it('ignores what does not change playback, notices what does', () => {
    const base = playlist(1, [item(1), item(2)]);
    const fresh = { ...base, name: 'Renamed', status: { ...base.status, last_verified: 'x' } };
    expect(sameSchedule(base, fresh)).toBe(true);
    expect(sameSchedule(base, playlist(1, [item(1), item(2, { duration: 6 })]))).toBe(false);
    expect(sameSchedule(base, playlist(1, [item(1), item(2, { layout: { x: 5 } })]))).toBe(false);
    expect(sameSchedule(base, playlist(2, [item(1), item(2)]))).toBe(false);
  });
});

describe('stepping', () => {
  const zoneOf = (config = {}) => {
    const p = playlist(1, [item(1, { n_time_play: 2 }), item(2), item(3)], config);
    return { p, zone: zonesOf(p)[0]! };
  };

  it('wraps forever with repeat_count -1, repeat_count more passes otherwise, stops without repeat', () => {
    const forever = zoneOf();
    expect(nextStep(forever.p, forever.zone, 1, 0)).toEqual({ index: 2, pass: 0 });
    expect(nextStep(forever.p, forever.zone, 3, 7)).toEqual({ index: 0, pass: 8 });
    const twice = zoneOf({ repeat_count: 1 });
    expect(nextStep(twice.p, twice.zone, 3, 0)).toEqual({ index: 0, pass: 1 });
    expect(nextStep(twice.p, twice.zone, 3, 1)).toBe('done');
    const once = zoneOf({ repeat: false, repeat_count: -1 });
    expect(nextStep(once.p, once.zone, 3, 0)).toBe('done');
  });

  it('next / previous go to the first play of the neighbouring item, wrapping', () => {
    const { zone } = zoneOf();
    // slots: [1#1, 1#2, 2, 3]
    expect(nextItemStart(zone, 0)).toBe(2);
    expect(nextItemStart(zone, 1)).toBe(2);
    expect(nextItemStart(zone, 3)).toBe(0);
    expect(previousItemStart(zone, 2)).toBe(0);
    expect(previousItemStart(zone, 1)).toBe(3);
    expect(previousItemStart(zone, 0)).toBe(3);
    expect(previousItemStart(zone, 3)).toBe(2);
  });

  it('finds play_media targets by media id or item index', () => {
    const { zone } = zoneOf();
    expect(findTarget(zone, { mediaId: 3 })).toBe(3);
    expect(findTarget(zone, { mediaIndex: 1 })).toBe(2);
    expect(findTarget(zone, { mediaId: 99 })).toBeUndefined();
    expect(findTarget(zone, { mediaIndex: 5 })).toBeUndefined();
  });
});
