/**
 * One value of nvidia-smi's CSV, read as a number or as the reason it is missing. nvidia-smi
 * prints a metric it cannot read as a bracketed string (`[N/A]`, `[Not Supported]`,
 * `[Insufficient Permissions]`, `[Unknown Error]`, `[GPU is lost]`); those become null with a
 * reason, never 0, so a dashboard can tell "idle" from "unknown".
 */
import type { protocol } from '@marquee/sdk';

type Reason = protocol.gpu.GpuMetricUnavailableReason;

/** A number, or null and why. */
export type Reading =
  { readonly value: number } | { readonly value: null; readonly reason: Reason };

const REASONS: Readonly<Record<string, Reason>> = {
  'n/a': 'not_available',
  'not supported': 'not_supported',
  'insufficient permissions': 'insufficient_permissions',
};

/** The reason for a bracketed (or bare) placeholder; `unknown` for any other text. */
export function unavailableReason(raw: string): Reason {
  const text = raw
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .trim()
    .toLowerCase();
  return REASONS[text] ?? 'unknown';
}

/**
 * Reads a number as `--format=csv,nounits` prints it. A unit left on the value (`24564 MiB`,
 * `3 %`, `450.00 W`, as printed without `nounits`) is tolerated.
 */
export function readNumber(raw: string): Reading {
  const text = raw.trim();
  const match = /^(-?\d+(?:\.\d+)?)(?:\s*(?:MiB|%|W|C))?$/.exec(text);
  if (!match) return { value: null, reason: unavailableReason(text) };
  const value = Number(match[1]);
  return Number.isFinite(value) ? { value } : { value: null, reason: 'unknown' };
}

/** `readNumber` with a valid range; out of range is `unknown` (a driver glitch, not a reading). */
export function readBounded(
  raw: string,
  bounds: { readonly min?: number; readonly max?: number; readonly integer?: boolean },
): Reading {
  const reading = readNumber(raw);
  if (reading.value === null) return reading;
  const value = bounds.integer ? Math.round(reading.value) : reading.value;
  if (bounds.min !== undefined && value < bounds.min) return { value: null, reason: 'unknown' };
  if (bounds.max !== undefined && value > bounds.max) return { value: null, reason: 'unknown' };
  return { value };
}
