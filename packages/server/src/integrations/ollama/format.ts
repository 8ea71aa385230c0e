/**
 * The seed's human-readable fields as the `ollama` CLI prints them, so a page written for the
 * Flask app shows the same text: `size` is format.HumanBytes (decimal units, one decimal below
 * 10), `id` the first 12 hex digits of the digest, `processor` as `ollama ps` prints it.
 */

const UNITS: ReadonlyArray<readonly [number, string]> = [
  [1e12, 'TB'],
  [1e9, 'GB'],
  [1e6, 'MB'],
  [1e3, 'KB'],
];

/** `2019393189` → `2.0 GB`, `274302450` → `274 MB`, `96` → `96 B` (ollama's format.HumanBytes). */
export function humanBytes(bytes: number): string {
  for (const [size, unit] of UNITS) {
    if (bytes < size) continue;
    const value = bytes / size;
    if (value >= 10) return `${Math.trunc(value)} ${unit}`;
    return Number.isInteger(value) ? `${value} ${unit}` : `${value.toFixed(1)} ${unit}`;
  }
  return `${Math.trunc(bytes)} B`;
}

/** The short id `ollama list` prints: 12 hex digits of the digest. */
export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** `100% GPU`, `100% CPU`, `48%/52% CPU/GPU`, as `ollama ps` prints the PROCESSOR column. */
export function processorLabel(size: number, sizeVram: number | undefined): string {
  const vram = sizeVram ?? 0;
  if (vram === 0) return '100% CPU';
  if (vram === size) return '100% GPU';
  if (vram > size || size === 0) return 'Unknown';
  const cpu = Math.round(((size - vram) / size) * 100);
  return `${cpu}%/${100 - cpu}% CPU/GPU`;
}
