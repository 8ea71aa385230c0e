/** Playlists for the pure-module tests, in the seed's shape. */
import type { MediaItem, Playlist } from '../src/types';

export function item(
  mediaId: number,
  overrides: Partial<Omit<MediaItem, 'layout' | 'timing'>> & {
    duration?: number;
    layout?: Partial<MediaItem['layout']>;
  } = {},
): MediaItem {
  const { duration = 5, layout, ...rest } = overrides;
  return {
    media_id: mediaId,
    order: mediaId,
    media_name: `m${mediaId}.png`,
    media_type: 'image',
    mimetype: 'image/png',
    media_url: `/media/m${mediaId}.png`,
    file_size: 100,
    checksum: '0'.repeat(31) + String(mediaId % 10),
    layout: { x: 0, y: 0, width: 1920, height: 1080, z_index: 1, ...layout },
    timing: { start_time: 0, duration, loop: false },
    effects: { fade_in: false, fade_out: false, transition: 'none' },
    n_time_play: 1,
    ...rest,
  };
}

export function playlist(
  id: number,
  items: MediaItem[],
  config: Partial<Playlist['playback_config']> = {},
): Playlist {
  return {
    id,
    name: `P${id}`,
    width: 1920,
    height: 1080,
    duration: 0,
    media_items: items,
    playback_config: { repeat: true, repeat_count: -1, background_color: '#000000', ...config },
    status: {
      is_ready: true,
      all_downloaded: true,
      missing_files: [],
      last_verified: '2025-01-15T10:30:00Z',
    },
  };
}
