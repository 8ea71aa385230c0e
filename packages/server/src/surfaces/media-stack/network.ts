/**
 * The host's cumulative network counters for seed 001's `systemResources.network`: bytes and
 * packets received and sent since boot, summed over every interface but loopback, from Linux's
 * `/proc/net/dev`. Elsewhere there is no such file and the figures are reported missing.
 */
import { readFile } from 'node:fs/promises';

export interface NetworkCounters {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly packetsIn: number;
  readonly packetsOut: number;
}

/** Parses `/proc/net/dev` (two header lines, then `iface: rx_bytes rx_packets … tx_bytes tx_packets …`). */
export function parseProcNetDev(text: string): NetworkCounters | undefined {
  const totals = { bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0 };
  let seen = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (fields.length < 16 || fields.some((n) => !Number.isFinite(n))) continue;
    seen += 1;
    if (name === 'lo') continue;
    totals.bytesIn += fields[0] ?? 0;
    totals.packetsIn += fields[1] ?? 0;
    totals.bytesOut += fields[8] ?? 0;
    totals.packetsOut += fields[9] ?? 0;
  }
  return seen === 0 ? undefined : totals;
}

export async function readNetworkCounters(
  path = '/proc/net/dev',
): Promise<NetworkCounters | undefined> {
  try {
    return parseProcNetDev(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}
