/**
 * Day-parting decisions with injected instants and time zones: wall clock per zone, windows past
 * midnight, `24:00`, daylight-saving changes (a skipped hour never opens, a repeated one opens
 * twice), the choice among a screen's playlists and the minute-boundary checks.
 */
import { describe, expect, it } from 'vitest';
import { isOpen, nextCheckIn, playingNow, wallTime, type Schedule } from '../src/daypart';
import type { Playlist } from '../src/types';

const at = (iso: string) => Date.parse(iso);
const NY = 'America/New_York';

function playlist(id: number, schedule: Schedule | null): Playlist {
  return {
    id,
    name: `P${id}`,
    width: 1920,
    height: 1080,
    duration: 0,
    media_items: [],
    playback_config: { repeat: true, repeat_count: -1, background_color: '#000000' },
    schedule,
    status: { is_ready: true, all_downloaded: true, missing_files: [], last_verified: '' },
  };
}

const openAt = (schedule: Schedule, iso: string, zone = NY) =>
  isOpen(schedule, wallTime(at(iso), zone));

describe('wallTime', () => {
  it('reads the weekday and minute on the zone’s own clock', () => {
    // Wednesday 2026-12-09 15:00:30Z is 10:00 in New York and already Thursday 00:00 in Tokyo.
    expect(wallTime(at('2026-12-09T15:00:30Z'), NY)).toEqual({ day: 'wed', minute: 600 });
    expect(wallTime(at('2026-12-09T15:00:30Z'), 'Asia/Tokyo')).toEqual({ day: 'thu', minute: 0 });
    expect(wallTime(at('2026-12-09T15:00:30Z'), 'UTC')).toEqual({ day: 'wed', minute: 900 });
    expect(wallTime(at('2026-12-09T04:59:00Z'), NY)).toEqual({ day: 'tue', minute: 23 * 60 + 59 });
    // A half-hour zone.
    expect(wallTime(at('2026-12-09T15:00:00Z'), 'Asia/Kolkata')).toEqual({
      day: 'wed',
      minute: 20 * 60 + 30,
    });
  });
});

describe('isOpen', () => {
  const office: Schedule = [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:30' },
  ];

  it('opens at start and closes at end, only on the listed days', () => {
    expect(openAt(office, '2026-12-09T13:59:59Z')).toBe(false); // wed 08:59
    expect(openAt(office, '2026-12-09T14:00:00Z')).toBe(true); // wed 09:00
    expect(openAt(office, '2026-12-09T22:29:59Z')).toBe(true); // wed 17:29
    expect(openAt(office, '2026-12-09T22:30:00Z')).toBe(false); // wed 17:30
    expect(openAt(office, '2026-12-12T15:00:00Z')).toBe(false); // sat 10:00
  });

  it('is decided in the given time zone', () => {
    // 10:00 in New York, 00:00 Thursday in Tokyo.
    expect(openAt(office, '2026-12-09T15:00:00Z', NY)).toBe(true);
    expect(openAt(office, '2026-12-09T15:00:00Z', 'Asia/Tokyo')).toBe(false);
  });

  it('runs a window past midnight into the next day', () => {
    const night: Schedule = [{ days: ['fri'], start: '22:00', end: '02:00' }];
    expect(openAt(night, '2026-12-12T02:59:00Z')).toBe(false); // fri 21:59
    expect(openAt(night, '2026-12-12T03:00:00Z')).toBe(true); // fri 22:00
    expect(openAt(night, '2026-12-12T04:59:00Z')).toBe(true); // fri 23:59
    expect(openAt(night, '2026-12-12T05:00:00Z')).toBe(true); // sat 00:00
    expect(openAt(night, '2026-12-12T06:59:00Z')).toBe(true); // sat 01:59
    expect(openAt(night, '2026-12-12T07:00:00Z')).toBe(false); // sat 02:00
    expect(openAt(night, '2026-12-11T06:00:00Z')).toBe(false); // fri 01:00 (thu not listed)
    expect(openAt(night, '2026-12-13T06:00:00Z')).toBe(false); // sun 01:00
    // Sunday night into Monday: the week wraps.
    const sunday: Schedule = [{ days: ['sun'], start: '23:00', end: '01:00' }];
    expect(openAt(sunday, '2026-12-14T05:30:00Z')).toBe(true); // mon 00:30
    expect(openAt(sunday, '2026-12-15T05:30:00Z')).toBe(false); // tue 00:30
  });

  it('treats 24:00 as the end of the day', () => {
    const day: Schedule = [{ days: ['sun'], start: '00:00', end: '24:00' }];
    expect(openAt(day, '2026-12-13T05:00:00Z')).toBe(true); // sun 00:00
    expect(openAt(day, '2026-12-14T04:59:00Z')).toBe(true); // sun 23:59
    expect(openAt(day, '2026-12-14T05:00:00Z')).toBe(false); // mon 00:00
  });

  it('follows the wall clock across daylight saving: a skipped hour never opens', () => {
    // 2026-03-08 in New York: 01:59 EST (06:59Z) is followed by 03:00 EDT (07:00Z).
    const skipped: Schedule = [{ days: ['sun'], start: '02:00', end: '03:00' }];
    const hours = Array.from({ length: 180 }, (_, i) => at('2026-03-08T05:30:00Z') + i * 60_000);
    expect(hours.some((t) => isOpen(skipped, wallTime(t, NY)))).toBe(false);
    const early: Schedule = [{ days: ['sun'], start: '01:00', end: '03:00' }];
    const open = hours.filter((t) => isOpen(early, wallTime(t, NY)));
    expect(open.length).toBe(60); // 01:00–01:59 EST only: one real hour
    expect(new Date(open[0] ?? 0).toISOString()).toBe('2026-03-08T06:00:00.000Z');
  });

  it('follows the wall clock across daylight saving: a repeated hour opens twice', () => {
    // 2026-11-01 in New York: 01:59 EDT (05:59Z) is followed by 01:00 EST (06:00Z).
    const repeated: Schedule = [{ days: ['sun'], start: '01:00', end: '02:00' }];
    expect(openAt(repeated, '2026-11-01T05:30:00Z')).toBe(true); // 01:30 EDT
    expect(openAt(repeated, '2026-11-01T06:30:00Z')).toBe(true); // 01:30 EST
    expect(openAt(repeated, '2026-11-01T07:00:00Z')).toBe(false); // 02:00 EST
    expect(openAt(repeated, '2026-11-01T04:59:00Z')).toBe(false); // 00:59 EDT
  });
});

describe('playingNow', () => {
  const fallback = playlist(1, null);
  const lunch = playlist(2, [{ days: ['wed'], start: '11:30', end: '14:00' }]);
  const evening = playlist(3, [{ days: ['wed'], start: '18:00', end: '23:00' }]);
  const alsoLunch = playlist(4, [{ days: ['wed'], start: '12:00', end: '13:00' }]);
  const all = [fallback, lunch, evening, alsoLunch];
  const noon = at('2026-12-09T17:00:00Z'); // wed 12:00 in New York
  const morning = at('2026-12-09T14:00:00Z'); // wed 09:00

  it('plays an open scheduled playlist over an unscheduled current one', () => {
    expect(playingNow(all, fallback, noon, NY)).toBe(lunch);
  });

  it('keeps the current playlist when it is scheduled and open', () => {
    expect(playingNow(all, alsoLunch, noon, NY)).toBe(alsoLunch);
  });

  it('falls back to the unscheduled current playlist, then to the first unscheduled one', () => {
    expect(playingNow(all, fallback, morning, NY)).toBe(fallback);
    expect(playingNow(all, evening, morning, NY)).toBe(fallback);
    expect(playingNow(all, undefined, morning, NY)).toBe(fallback);
  });

  it('plays nothing when every playlist is scheduled and closed', () => {
    expect(playingNow([lunch, evening], lunch, morning, NY)).toBeUndefined();
  });

  it('switches exactly at a boundary that the next check lands on', () => {
    const closing = at('2026-12-09T19:00:00Z'); // wed 14:00: lunch closes
    const before = closing - 1_500;
    expect(playingNow(all, fallback, before, NY)).toBe(lunch);
    expect(before + nextCheckIn(before)).toBe(closing);
    expect(playingNow(all, fallback, closing, NY)).toBe(fallback);
  });
});

describe('nextCheckIn', () => {
  it('waits for the next whole minute, at most maxMs', () => {
    expect(nextCheckIn(at('2026-12-09T17:00:59Z'))).toBe(1000);
    expect(nextCheckIn(at('2026-12-09T17:00:59.750Z'))).toBe(250);
    expect(nextCheckIn(at('2026-12-09T17:00:00Z'))).toBe(5000);
    expect(nextCheckIn(at('2026-12-09T17:00:30Z'), 60_000)).toBe(30_000);
  });
});
