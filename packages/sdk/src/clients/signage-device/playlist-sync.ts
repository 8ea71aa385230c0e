/**
 * One playlist's download pass and the `playlist_status` messages it reports, following seed
 * 002's Implementation Guidelines and its example flows:
 *
 * 1. `downloading` with `total_items` and `downloaded_items: 0` when the pass starts;
 * 2. `downloading` after each item, whether it arrived or failed (the seed's flow reports the
 *    unchanged count after a failed item), `downloaded_items` counting the items now cached;
 * 3. then `ready` when every item is cached and verified, `partial` with `missing_files` (the
 *    media names that failed) when some are, `failed` with `error` when none is.
 *
 * An item already cached and verified counts as downloaded without a request.
 */
import {
  MAX_REPORT_ERROR,
  type PlaylistDownloadingStatus,
  type PlaylistFailedStatus,
  type PlaylistPartialStatus,
  type PlaylistReadyStatus,
} from '../../protocol/signage/client-messages';
import type { MediaItem } from '../../protocol/signage/media';
import type { Playlist } from '../../protocol/signage/playlist';
import type { MediaResult } from './downloader';
import { itemsInOrder } from './screens';

/** How a pass ended. */
export type FinalStatus = PlaylistReadyStatus | PlaylistPartialStatus | PlaylistFailedStatus;

export interface PlaylistSyncHooks {
  /** Makes one item available; never throws. */
  readonly ensure: (item: MediaItem) => Promise<MediaResult>;
  /** Sends one status message. */
  readonly report: (status: PlaylistDownloadingStatus | FinalStatus) => void;
  /** True once the client closed: the pass stops without a final status. */
  readonly cancelled: () => boolean;
}

/** Downloads a playlist's items in playback order; resolves with the final status it sent. */
export async function syncPlaylist(
  playlist: Playlist,
  hooks: PlaylistSyncHooks,
): Promise<FinalStatus | undefined> {
  const items = itemsInOrder(playlist);
  const total = items.length;
  const progress = (downloaded: number): PlaylistDownloadingStatus => ({
    type: 'playlist_status',
    playlist_id: playlist.id,
    status: 'downloading',
    total_items: total,
    downloaded_items: downloaded,
  });
  hooks.report(progress(0));
  let downloaded = 0;
  const missing: string[] = [];
  const errors: string[] = [];
  for (const item of items) {
    if (hooks.cancelled()) return undefined;
    const result = await hooks.ensure(item);
    if (hooks.cancelled()) return undefined;
    if (result.outcome === 'failed') {
      missing.push(item.media_name);
      errors.push(result.error?.message ?? 'Download failed');
    } else {
      downloaded++;
    }
    hooks.report(progress(downloaded));
  }
  const final = finalStatus(playlist.id, total, downloaded, missing, errors);
  hooks.report(final);
  return final;
}

function finalStatus(
  playlistId: number,
  total: number,
  downloaded: number,
  missing: readonly string[],
  errors: readonly string[],
): FinalStatus {
  const base = { type: 'playlist_status', playlist_id: playlistId } as const;
  if (missing.length === 0) {
    return { ...base, status: 'ready', total_items: total, downloaded_items: downloaded };
  }
  if (downloaded > 0) {
    return {
      ...base,
      status: 'partial',
      total_items: total,
      downloaded_items: downloaded,
      missing_files: [...missing],
    };
  }
  // The first cause says most (the network is down, the disk is full); the rest repeat it.
  const error =
    errors.length === 1 && errors[0] ? errors[0] : `All downloads failed: ${errors[0] ?? ''}`;
  return {
    ...base,
    status: 'failed',
    total_items: total,
    downloaded_items: 0,
    error: error.slice(0, MAX_REPORT_ERROR),
  };
}
