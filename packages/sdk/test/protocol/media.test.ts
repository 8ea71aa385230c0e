import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import * as media from '../../src/protocol/media';

describe('thumbnail sizes', () => {
  it("lead with the ESP32 panel's poster box, which is also the default", () => {
    expect(media.THUMB_SIZES[0]).toEqual({ width: 150, height: 225 });
    expect(media.snapThumbSize()).toEqual({ width: 150, height: 225 });
  });

  it('snap a request to the nearest documented size', () => {
    const snap = (w?: number, h?: number) => {
      const { width, height } = media.snapThumbSize(w, h);
      return `${width}x${height}`;
    };
    // Exact sizes stay.
    for (const size of media.THUMB_SIZES)
      expect(snap(size.width, size.height)).toBe(`${size.width}x${size.height}`);
    expect(snap(160, 240)).toBe('150x225');
    expect(snap(280, 430)).toBe('300x450');
    expect(snap(2048, 2048)).toBe('600x900');
    // A strip is as far from every square; the tie goes to the largest.
    expect(snap(2048, 16)).toBe('512x512');
    expect(snap(16, 16)).toBe('128x128');
    expect(snap(250, 250)).toBe('256x256');
    expect(snap(1000, 1500)).toBe('600x900');
    // One edge: nearest by that edge alone; a tie goes to the larger size.
    expect(snap(300)).toBe('300x450');
    expect(snap(undefined, 128)).toBe('128x128');
    expect(snap(undefined, 900)).toBe('600x900');
  });

  it('never leave the documented set, whatever is asked', () => {
    const documented = new Set(media.THUMB_SIZES.map((s) => `${s.width}x${s.height}`));
    for (let w = media.THUMB_MIN_EDGE; w <= media.THUMB_MAX_EDGE; w += 37) {
      for (let h = media.THUMB_MIN_EDGE; h <= media.THUMB_MAX_EDGE; h += 41) {
        const { width, height } = media.snapThumbSize(w, h);
        expect(documented.has(`${width}x${height}`)).toBe(true);
      }
    }
  });

  it('keep width and height optional in the query, within their range', () => {
    expect(z.parse(media.ThumbQuery, {})).toEqual({});
    expect(z.parse(media.ThumbQuery, { width: '300' })).toEqual({ width: 300 });
    expect(z.safeParse(media.ThumbQuery, { width: '4096' }).success).toBe(false);
  });
});
