/** How the GPU page writes figures: MiB as nvidia-smi counts them, bytes in binary units. */

/** `12345` MiB → `12,345 MiB`; null (nvidia-smi could not read it) → `n/a`. */
export function mib(value: number | null): string {
  return value === null ? 'n/a' : `${value.toLocaleString('en-US')} MiB`;
}

/** Bytes in GiB (or MiB below 1 GiB), one decimal: `2.4 GiB`. */
export function bytes(value: number): string {
  const gib = value / 2 ** 30;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(value / 2 ** 20)} MiB`;
}

/** A metric with its unit, or `n/a` with nvidia-smi's reason. */
export function metric(value: number | null, unit: string, reason: string | undefined): string {
  if (value === null) return reason ? `n/a (${reason.replace(/_/g, ' ')})` : 'n/a';
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}
