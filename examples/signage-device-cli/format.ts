/** How signage-device-cli prints what the device is asked to show and do. */
import type { ServerAction } from '@marquee/sdk/device';

/** The fields of a playlist this example prints (the SDK's `Playlist` has them all). */
export interface PrintedPlaylist {
  readonly id: number;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly duration: number;
  readonly media_items: readonly {
    readonly order: number;
    readonly media_name: string;
    readonly media_type: string;
    readonly layout: { x: number; y: number; width: number; height: number; z_index: number };
    readonly timing: { duration: number };
    readonly n_time_play: number;
  }[];
  readonly playback_config: { repeat: boolean; repeat_count: number };
}

function repeats(config: PrintedPlaylist['playback_config']): string {
  if (!config.repeat) return 'plays once';
  return config.repeat_count === -1 ? 'repeats forever' : `repeats ${config.repeat_count}×`;
}

/** The playlist as a header line and one line per item, in play order. */
export function playlistLines(playlist: PrintedPlaylist, screen: string): string[] {
  const items = [...playlist.media_items].sort((a, b) => a.order - b.order);
  const lines = [
    `Playlist ${playlist.id} "${playlist.name}" on the ${screen.replace(/_screen$/, '')} screen: ` +
      `${playlist.width}×${playlist.height}, ${items.length} item${items.length === 1 ? '' : 's'}, ` +
      `${playlist.duration} s, ${repeats(playlist.playback_config)}`,
  ];
  for (const item of items) {
    const { x, y, width, height, z_index } = item.layout;
    const times = item.n_time_play > 1 ? ` ×${item.n_time_play}` : '';
    lines.push(
      `  ${item.order}. ${item.media_name} [${item.media_type}] ${item.timing.duration} s${times}` +
        ` at ${x},${y} ${width}×${height} z${z_index}`,
    );
  }
  return lines;
}

/** One command as the device received it: the action and its parameters. */
export function commandLine(action: ServerAction, ok: boolean, error?: string): string {
  const { action: name, command_id: _id, expires_at: _expires, ...params } = action;
  const shown = Object.keys(params).length === 0 ? '' : ` ${JSON.stringify(params)}`;
  return `Command ${name}${shown}: ${ok ? 'done, acked' : `refused (${error ?? 'no reason'})`}`;
}
