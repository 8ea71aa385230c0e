/**
 * HTTP byte ranges and validators for media downloads (RFC 9110 §13–14), as pure functions so
 * every case is testable without a server. Only single ranges are served; a multi-range request
 * gets the whole file (a server may always ignore Range), which is what a resuming device needs.
 */

export type RangeDecision =
  | { readonly kind: 'full' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

/**
 * What to send for `Range: header` on a file of `size` bytes. A malformed or multi-range header is
 * ignored (full file), as RFC 9110 allows; a well-formed one that selects nothing is
 * unsatisfiable (416).
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // Suffix range: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (last !== '' && end < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

/** Weak comparison of `If-None-Match` against our strong ETag (`*` matches anything). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/**
 * Whether a range may be honoured under `If-Range`: it must carry our strong ETag exactly, or an
 * HTTP date equal to our Last-Modified. Anything else means the client holds another version,
 * so it gets the full file.
 */
export function ifRangeHolds(
  header: string | undefined,
  etag: string,
  lastModified: string,
): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  const date = Date.parse(value);
  return !Number.isNaN(date) && date === Date.parse(lastModified);
}

/** `If-Modified-Since` (used only without If-None-Match): true when not modified since. */
export function notModifiedSince(header: string | undefined, lastModified: string): boolean {
  if (header === undefined) return false;
  const since = Date.parse(header);
  return !Number.isNaN(since) && Date.parse(lastModified) <= since;
}
