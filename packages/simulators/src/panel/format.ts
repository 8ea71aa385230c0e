/**
 * Text formats of the panel's screen (firmware/esp32/lib/marquee_core/src/mq_format.c): durations
 * as `m:ss` / `h:mm:ss`, rates in bits per second with SI units, percentages with one decimal and
 * a 20-cell progress bar.
 */

/** `40:02`, `1:40:00` (whole seconds, rounded down). */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor(total / 60) % 60;
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const RATE_UNITS = ['b/s', 'kb/s', 'Mb/s', 'Gb/s', 'Tb/s'] as const;

/** `2.6 Mb/s`, `262 kb/s`, `800 b/s`: one decimal below 10 of a unit, whole numbers above. */
export function formatRate(bitsPerSecond: number): string {
  let value = Math.max(0, bitsPerSecond);
  let unit = 0;
  while (value >= 1000 && unit < RATE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const text = unit > 0 && value < 10 ? value.toFixed(1) : String(Math.round(value));
  return `${text} ${RATE_UNITS[unit] ?? ''}`;
}

/** `23.4` */
export function formatTenths(value: number): string {
  return (Math.round(value * 10) / 10).toFixed(1);
}

/** `[########............]` for 400 ‰. */
export function formatBar(permille: number): string {
  const cells = 20;
  const filled = Math.floor((Math.min(1000, Math.max(0, permille)) * cells) / 1000);
  return `[${'#'.repeat(filled)}${'.'.repeat(cells - filled)}]`;
}
