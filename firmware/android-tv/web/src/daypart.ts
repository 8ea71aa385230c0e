/**
 * Day-parting, as pure functions of a time and a time zone: which of a screen's playlists plays
 * now. A playlist with a `schedule` plays only while one of its windows is open on the device's
 * wall clock (its own time zone, through Intl); one without plays whenever nothing scheduled is
 * open. The rule, in order:
 *
 * 1. the screen's current playlist (the server's `current_playlist`, or a `switch_playlist`) when
 *    it is scheduled and open;
 * 2. else the first of the screen's playlists whose window is open;
 * 3. else the current playlist when it is unscheduled;
 * 4. else the screen's first unscheduled playlist; else nothing (the screen shows its background).
 *
 * Windows open and close on whole local minutes, so the player checks again at each minute
 * boundary (and at least every few seconds, so a clock that jumps is noticed soon).
 */
import type { Playlist } from './types';

export type Schedule = NonNullable<Playlist['schedule']>;
export type Day = Schedule[number]['days'][number];

/** Indexed like Date's getDay (0 = Sunday). */
const DAYS: readonly Day[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** A moment on the device's wall clock: the weekday and the minute of the day (0–1439). */
export interface WallTime {
  readonly day: Day;
  readonly minute: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The weekday and minute of the day that `timeZone`'s wall clock shows at `at` (ms since epoch). */
export function wallTime(at: number, timeZone: string): WallTime {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  let day: Day | undefined;
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(at)) {
    if (part.type === 'weekday') day = DAYS.find((d) => d === part.value.toLowerCase());
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  if (day === undefined) throw new Error(`No weekday for ${at} in ${timeZone}`);
  return { day, minute: hour * 60 + minute };
}

function minutes(clock: string): number {
  const [hours = '0', mins = '0'] = clock.split(':');
  return Number(hours) * 60 + Number(mins);
}

/**
 * Whether a window of `schedule` is open at `time`. A window whose end is at or before its start
 * runs past midnight into the next day, so it is also open early on the day after a listed day.
 */
export function isOpen(schedule: Schedule, time: WallTime): boolean {
  const yesterday = DAYS[(DAYS.indexOf(time.day) + 6) % 7] as Day;
  return schedule.some((window) => {
    const start = minutes(window.start);
    const end = minutes(window.end);
    if (end > start) {
      return window.days.includes(time.day) && time.minute >= start && time.minute < end;
    }
    return (
      (window.days.includes(time.day) && time.minute >= start) ||
      (window.days.includes(yesterday) && time.minute < end)
    );
  });
}

/** The playlist a screen plays at `at` in `timeZone` (the rule above); undefined: none. */
export function playingNow(
  playlists: readonly Playlist[],
  current: Playlist | undefined,
  at: number,
  timeZone: string,
): Playlist | undefined {
  const time = wallTime(at, timeZone);
  const open = (playlist: Playlist) =>
    Boolean(playlist.schedule && isOpen(playlist.schedule, time));
  if (current && open(current)) return current;
  const scheduled = playlists.find(open);
  if (scheduled) return scheduled;
  if (current && !current.schedule) return current;
  return playlists.find((playlist) => !playlist.schedule);
}

/** Whether any of `playlists` has a schedule (else no clock checks are needed). */
export function anyScheduled(playlists: readonly Playlist[]): boolean {
  return playlists.some((playlist) => Boolean(playlist.schedule));
}

/**
 * Milliseconds from `at` to the next check: the next whole minute (when windows open and close;
 * time zones are whole minutes from UTC), or `maxMs` when that comes first.
 */
export function nextCheckIn(at: number, maxMs = 5000): number {
  return Math.min(60_000 - (((at % 60_000) + 60_000) % 60_000), maxMs);
}

/** The device's own time zone (the browser's; Android's system setting in a WebView). */
export function deviceTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}
