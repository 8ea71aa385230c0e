/** The pure Range / If-Range / ETag decisions behind media downloads (RFC 9110). */
import { describe, expect, it } from 'vitest';
import {
  decideRange,
  ifRangeHolds,
  noneMatch,
  notModifiedSince,
} from '../../src/surfaces/signage/byte-range';

describe('decideRange', () => {
  it('serves the whole file without a usable Range header', () => {
    expect(decideRange(undefined, 100)).toEqual({ kind: 'full' });
    expect(decideRange('items=0-5', 100)).toEqual({ kind: 'full' });
    expect(decideRange('bytes=0-5,10-20', 100)).toEqual({ kind: 'full' });
    expect(decideRange('bytes=-', 100)).toEqual({ kind: 'full' });
    expect(decideRange('bytes=9-3', 100)).toEqual({ kind: 'full' });
  });

  it('resolves open, closed and suffix ranges, clamped to the file', () => {
    expect(decideRange('bytes=40-', 100)).toEqual({ kind: 'partial', start: 40, end: 99 });
    expect(decideRange('bytes=0-0', 100)).toEqual({ kind: 'partial', start: 0, end: 0 });
    expect(decideRange('bytes=90-500', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(decideRange('bytes=-10', 100)).toEqual({ kind: 'partial', start: 90, end: 99 });
    expect(decideRange('bytes=-500', 100)).toEqual({ kind: 'partial', start: 0, end: 99 });
  });

  it('is unsatisfiable past the end, for an empty suffix and for an empty file', () => {
    expect(decideRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('validators', () => {
  const etag = '"5d41402abc4b2a76b9719d911017c592"';
  const lastModified = 'Wed, 15 Jan 2025 10:30:00 GMT';

  it('If-None-Match compares weakly and accepts lists and *', () => {
    expect(noneMatch(etag, etag)).toBe(true);
    expect(noneMatch(`W/${etag}`, etag)).toBe(true);
    expect(noneMatch(`"a", ${etag}`, etag)).toBe(true);
    expect(noneMatch('*', etag)).toBe(true);
    expect(noneMatch('"other"', etag)).toBe(false);
    expect(noneMatch(undefined, etag)).toBe(false);
  });

  it('If-Range holds only for the same strong ETag or the exact date', () => {
    expect(ifRangeHolds(undefined, etag, lastModified)).toBe(true);
    expect(ifRangeHolds(etag, etag, lastModified)).toBe(true);
    expect(ifRangeHolds(`W/${etag}`, etag, lastModified)).toBe(false);
    expect(ifRangeHolds('"other"', etag, lastModified)).toBe(false);
    expect(ifRangeHolds(lastModified, etag, lastModified)).toBe(true);
    expect(ifRangeHolds('Thu, 16 Jan 2025 10:30:00 GMT', etag, lastModified)).toBe(false);
    expect(ifRangeHolds('garbage', etag, lastModified)).toBe(false);
  });

  it('If-Modified-Since', () => {
    expect(notModifiedSince(lastModified, lastModified)).toBe(true);
    expect(notModifiedSince('Tue, 14 Jan 2025 10:30:00 GMT', lastModified)).toBe(false);
    expect(notModifiedSince(undefined, lastModified)).toBe(false);
  });
});
