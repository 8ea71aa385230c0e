/**
 * Store records → protocol shapes: media items as devices receive them, playlists for the admin
 * API, and the DeviceScreens answer of `GET /admin/cloud/playlists?sn_number=`.
 */
import type { protocol } from '@marquee/sdk';
import type {
  SignageCommandRecord,
  SignageDeviceRecord,
  SignageMediaRecord,
  SignagePlaylistItemRecord,
  SignagePlaylistRecord,
  SignageReportRecord,
  SignageScreenRecord,
  SignageScreenshotRecord,
} from './store';
import type { SignageFiles } from './files';

type S = typeof protocol.signage;
type Out<K extends keyof S> = S[K] extends { _zod: { output: infer O } } ? O : never;

export function mediaRecord(
  media: SignageMediaRecord,
  files: SignageFiles,
  playlistIds: readonly number[],
): Out<'MediaRecord'> {
  return {
    media_id: media.id,
    media_name: media.mediaName,
    media_type: media.mediaType,
    mimetype: media.mimetype,
    file_size: media.fileSize,
    checksum: media.checksum,
    media_url: files.mediaUrl(media.path),
    created_at: media.createdAt,
    playlist_ids: [...playlistIds],
  };
}

export function mediaItem(item: SignagePlaylistItemRecord, files: SignageFiles): Out<'MediaItem'> {
  return {
    media_id: item.media.id,
    order: item.order,
    media_name: item.media.mediaName,
    media_type: item.media.mediaType,
    mimetype: item.media.mimetype,
    media_url: files.mediaUrl(item.media.path),
    file_size: item.media.fileSize,
    checksum: item.media.checksum,
    layout: item.layout,
    timing: item.timing,
    effects: item.effects,
    n_time_play: item.nTimePlay,
  };
}

/** Seconds: the sum over items of `timing.duration × n_time_play`. */
export function playlistDuration(playlist: Pick<SignagePlaylistRecord, 'items'>): number {
  return playlist.items.reduce((sum, item) => sum + item.timing.duration * item.nTimePlay, 0);
}

/** The fields the admin's and the device's view of a playlist share. */
function playlistFields(playlist: SignagePlaylistRecord, files: SignageFiles) {
  return {
    id: playlist.id,
    name: playlist.name,
    width: playlist.width,
    height: playlist.height,
    duration: playlistDuration(playlist),
    media_items: playlist.items.map((item) => mediaItem(item, files)),
    playback_config: playlist.playbackConfig,
    schedule: playlist.schedule,
  };
}

export function adminPlaylist(
  playlist: SignagePlaylistRecord,
  files: SignageFiles,
  snNumbers: readonly string[],
): Out<'AdminPlaylist'> {
  return {
    ...playlistFields(playlist, files),
    created_at: playlist.createdAt,
    updated_at: playlist.updatedAt,
    sn_numbers: [...snNumbers],
  };
}

/**
 * The server's view of a playlist's readiness on one device, from the device's two signals: its
 * latest `playlist_status` for the playlist and its latest `ready_playlists` list. The newer of
 * the two wins. A signal older than the playlist's last change is stale (the device has not seen
 * the new content yet) and is ignored. `partial` is playable (`is_ready`) but not
 * `all_downloaded`, as in the seed's example.
 */
export function playlistStatus(
  playlist: SignagePlaylistRecord,
  device: SignageDeviceRecord,
  report: SignageReportRecord | undefined,
): Out<'PlaylistStatus'> {
  const fresh = (at: string | null | undefined): at is string =>
    typeof at === 'string' && at >= playlist.updatedAt;
  const reportAt = fresh(report?.reportedAt) ? report?.reportedAt : undefined;
  const listAt = fresh(device.readyPlaylistsAt) ? device.readyPlaylistsAt : undefined;
  if (
    report !== undefined &&
    reportAt !== undefined &&
    (listAt === undefined || reportAt >= listAt)
  ) {
    return {
      is_ready: report.status === 'ready' || report.status === 'partial',
      all_downloaded: report.status === 'ready',
      missing_files: report.status === 'partial' ? [...report.missingFiles] : [],
      last_verified: reportAt,
    };
  }
  if (listAt !== undefined) {
    const ready = device.readyPlaylists.includes(playlist.id);
    return { is_ready: ready, all_downloaded: ready, missing_files: [], last_verified: listAt };
  }
  return {
    is_ready: false,
    all_downloaded: false,
    missing_files: [],
    last_verified: playlist.updatedAt,
  };
}

export function devicePlaylist(
  playlist: SignagePlaylistRecord,
  device: SignageDeviceRecord,
  report: SignageReportRecord | undefined,
  files: SignageFiles,
): Out<'Playlist'> {
  return {
    ...playlistFields(playlist, files),
    status: playlistStatus(playlist, device, report),
  };
}

export function adminScreen(screen: SignageScreenRecord): Out<'AdminScreen'> {
  return {
    screen_id: screen.id,
    position: screen.position,
    screen_name: screen.screenName,
    resolution: screen.resolution,
    playlist_ids: [...screen.playlistIds],
    current_playlist: screen.currentPlaylistId,
    updated_at: screen.updatedAt,
  };
}

export function commandRecord(command: SignageCommandRecord): Out<'CommandRecord'> {
  return {
    command_id: command.id,
    sn_number: command.snNumber,
    command: command.command,
    state: command.state,
    created_at: command.createdAt,
    expires_at: command.expiresAt,
    sent_at: command.sentAt,
    acked_at: command.ackedAt,
    error: command.error,
  };
}

export function screenshotRecord(shot: SignageScreenshotRecord): Out<'ScreenshotRecord'> {
  return {
    id: shot.id,
    sn_number: shot.snNumber,
    media_id: shot.mediaId,
    file_size: shot.fileSize,
    created_at: shot.createdAt,
    url: `/api/v1/admin/cloud/screenshots/${shot.id}/`,
  };
}

export function playlistReport(report: SignageReportRecord): Out<'PlaylistReport'> {
  return {
    playlist_id: report.playlistId,
    status: report.status,
    total_items: report.totalItems,
    downloaded_items: report.downloadedItems,
    missing_files: [...report.missingFiles],
    error: report.error,
    reported_at: report.reportedAt,
  };
}
