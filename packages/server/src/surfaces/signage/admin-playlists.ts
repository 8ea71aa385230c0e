/**
 * Fleet admin API, playlists: create, list, read, replace (PUT) and delete. Items are validated
 * against the library (an unknown `media_id` is 400 naming the item), given their defaults and
 * sorted by `order` (stable, so equal orders keep their written position). Every change sends
 * `reload_playlist` to the devices with a screen carrying the playlist (queued while offline).
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import type * as z from 'zod';
import { noContent, pickRoutes, Status } from '../../core/routes';
import type { SignagePlaylistRecord, SignagePlaylistWrite, SignageRepositories } from './store';
import type { SignageCommands } from './commands';
import type { SignageFiles } from './files';
import {
  found,
  listOf,
  mountSignageRoutes,
  notFound,
  type SignageRouteOptions,
} from './route-helpers';
import { adminPlaylist } from './views';

const { signage } = protocol;

type PlaylistBody = z.output<typeof signage.PlaylistInput>;

export interface AdminPlaylistsOptions extends SignageRouteOptions {
  readonly files: SignageFiles;
  readonly commands: SignageCommands;
}

const routes = pickRoutes(signage.signageAdminRoutes, [
  'signage.adminPlaylistCreate',
  'signage.adminPlaylistList',
  'signage.adminPlaylistGet',
  'signage.adminPlaylistUpdate',
  'signage.adminPlaylistDelete',
]);

/** The write for `body`: defaults filled in, items in play order, media checked. */
export async function playlistWrite(
  store: SignageRepositories,
  body: PlaylistBody,
): Promise<SignagePlaylistWrite> {
  const missing: string[] = [];
  for (const [index, item] of body.media_items.entries()) {
    if ((await store.media.find(item.media_id)) === undefined) {
      missing.push(`media_items.${index}.media_id: no media with id ${item.media_id}`);
    }
  }
  if (missing.length > 0) {
    throw new MarqueeError('BAD_REQUEST', `Invalid body: ${missing.join('; ')}`);
  }
  const items = body.media_items.map((item, index) => ({
    mediaId: item.media_id,
    order: item.order ?? index + 1,
    layout: item.layout ?? { x: 0, y: 0, width: body.width, height: body.height, z_index: 1 },
    timing: item.timing ?? { ...signage.DEFAULT_MEDIA_TIMING },
    effects: item.effects ?? { ...signage.DEFAULT_MEDIA_EFFECTS },
    nTimePlay: item.n_time_play,
  }));
  // Array.prototype.sort is stable: equal orders keep the position they were written in.
  items.sort((a, b) => a.order - b.order);
  return {
    name: body.name,
    width: body.width,
    height: body.height,
    playbackConfig: body.playback_config,
    schedule: body.schedule,
    items,
  };
}

export function mountAdminPlaylists(app: FastifyInstance, options: AdminPlaylistsOptions): void {
  const { store, files, commands } = options;
  const playlists = store.playlists;
  const iso = () => new Date(options.now()).toISOString();
  const view = async (playlist: SignagePlaylistRecord) =>
    adminPlaylist(playlist, files, await store.screens.devicesWithPlaylist(playlist.id));
  const find = async (id: number) => found(await playlists.find(id), `Playlist ${id}`);
  /** A media file deleted between the check and the write is still a 400, not a 404. */
  const asBadRequest = (error: unknown): never => {
    if (error instanceof MarqueeError && error.code === 'NOT_FOUND') {
      throw new MarqueeError('BAD_REQUEST', `Invalid body: ${error.message}`, { cause: error });
    }
    throw error;
  };

  mountSignageRoutes(app, routes, options, {
    'signage.adminPlaylistCreate': async ({ body }) => {
      const write = await playlistWrite(store, body);
      const created = await playlists.create(write, iso()).catch(asBadRequest);
      return new Status(201, await view(created));
    },
    'signage.adminPlaylistList': async () => {
      return listOf(await Promise.all((await playlists.list()).map(view)));
    },
    'signage.adminPlaylistGet': async ({ params }) => view(await find(params.playlist_id)),
    'signage.adminPlaylistUpdate': async ({ params, body }) => {
      await find(params.playlist_id);
      const write = await playlistWrite(store, body);
      const updated = await playlists.update(params.playlist_id, write, iso()).catch(asBadRequest);
      const result = await view(found(updated, `Playlist ${params.playlist_id}`));
      await commands.reload(result.sn_numbers);
      return result;
    },
    'signage.adminPlaylistDelete': async ({ params }) => {
      const affected = await store.screens.devicesWithPlaylist(params.playlist_id);
      if (!(await playlists.delete(params.playlist_id))) {
        throw notFound(`Playlist ${params.playlist_id}`);
      }
      await commands.reload(affected);
      return noContent();
    },
  });
}
