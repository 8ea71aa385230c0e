import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cacheKey, md5Hex, staleKeys, verified, wantedFiles } from '../src/cache-policy';
import type { DeviceScreens } from '../src/types';
import { item, playlist } from './fixtures';

describe('cache policy', () => {
  it('keeps the files of every assigned playlist on every screen, evicts the rest', () => {
    const screens = {
      sn_number: 'TV-1',
      front_screen: {
        screen_id: 1,
        screen_name: 'Front',
        resolution: '1920x1080',
        current_playlist: 1,
        playlists: [playlist(1, [item(1), item(2)]), playlist(2, [item(2), item(3)])],
      },
      back_screen: {
        screen_id: 2,
        screen_name: 'Back',
        resolution: '1920x1080',
        current_playlist: 3,
        playlists: [playlist(3, [item(4)])],
      },
      right_screen: null,
      left_screen: null,
    } as DeviceScreens;
    const wanted = wantedFiles(screens);
    expect([...wanted.keys()]).toEqual(['1_m1.png', '2_m2.png', '3_m3.png', '4_m4.png']);
    expect(staleKeys(['1_m1.png', '9_old.mp4', '4_m4.png', '2_renamed.png'], wanted)).toEqual([
      '9_old.mp4',
      '2_renamed.png',
    ]);
    expect(cacheKey({ media_id: 38, media_name: 'logo1.jpg' })).toBe('38_logo1.jpg');
  });

  it('hashes like node:crypto across chunk boundaries, and verifies case-insensitively', () => {
    const bytes = new Uint8Array(5 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 251;
    const expected = createHash('md5').update(bytes).digest('hex');
    expect(md5Hex(bytes.buffer)).toBe(expected);
    expect(md5Hex(new ArrayBuffer(0))).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(verified(expected, expected.toUpperCase())).toBe(true);
    expect(verified(expected, 'd41d8cd98f00b204e9800998ecf8427e')).toBe(false);
    expect(verified(null, expected)).toBe(false);
  });
});
