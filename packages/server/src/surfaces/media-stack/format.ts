/**
 * Seed 001's human-readable figures: sizes and speeds with one decimal in decimal units
 * (`45.8 TB`, `45.2 MB/s`), times left as `HH:MM:SS`, uptimes as `15d 8h 32m`.
 */
const UNITS: ReadonlyArray<readonly [number, string]> = [
  [1e12, 'TB'],
  [1e9, 'GB'],
  [1e6, 'MB'],
  [1e3, 'KB'],
];

/** `45_800_000_000_000` → `45.8 TB`; below 1 KB whole bytes. */
export function size(bytes: number): string {
  const value = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  for (const [unit, name] of UNITS) {
    if (value >= unit) return `${(value / unit).toFixed(1)} ${name}`;
  }
  return `${Math.round(value)} B`;
}

export const speed = (bytesPerSecond: number): string => `${size(bytesPerSecond)}/s`;

/** Seconds → `HH:MM:SS` (hours may pass 99); negative or unknown → `--:--:--`. */
export function eta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--:--:--';
  const whole = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(whole / 3600))}:${pad(Math.floor((whole % 3600) / 60))}:${pad(whole % 60)}`;
}

/** Seconds → `15d 8h 32m` (`0m` for under a minute). */
export function uptime(seconds: number): string {
  const minutes = Math.max(0, Math.floor(seconds / 60));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m`;
}

export const round1 = (value: number): number => Math.round(value * 10) / 10;
