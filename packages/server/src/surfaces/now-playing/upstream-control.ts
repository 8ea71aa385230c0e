/**
 * Playback control of a session read from Plex or Jellyfin: the command goes to the media server,
 * which relays it to the client playing (Marquee never talks to that client itself).
 *
 * - Jellyfin: `POST /Sessions/{id}/Playing/{Pause|Unpause|Stop|Seek}` (204; Seek with
 *   `SeekPositionTicks`), for a session whose `SupportsRemoteControl` is not false.
 * - Plex: the companion API through the server, `GET /player/playback/{pause|play|stop|seekTo}`
 *   (seekTo with `offset` in milliseconds) with
 *   `X-Plex-Target-Client-Identifier` naming the player's `machineIdentifier`. Plex relays only to
 *   players that take remote control; one that does not makes Plex answer an error status.
 *
 * Answers: a session without a controllable player is 409 PLAYER_NOT_CONNECTED (nothing was
 * sent); an error status from the media server 502 PLAYER_ERROR with that status; the media
 * server unreachable or silent 503 / 504 (upstream/errors.ts). After an accepted command the
 * media server is polled again (after any poll in flight), so the snapshot shows the effect even
 * where no push socket is connected.
 */
import type { protocol } from '@marquee/sdk';
import {
  TICKS_PER_MS,
  type JellyfinPlaystateCommand,
  type MediaStack,
  type PlexPlayerCommand,
} from '../../integrations/media';
import { playbackError } from './commands';
import type { UpstreamSession } from './upstream-sessions';

type ControlAction = protocol.playback.ControlAction;

const JELLYFIN_COMMANDS: Record<ControlAction, JellyfinPlaystateCommand> = {
  pause: 'Pause',
  resume: 'Unpause',
  stop: 'Stop',
  seek: 'Seek',
};
const PLEX_COMMANDS: Record<ControlAction, PlexPlayerCommand> = {
  pause: 'pause',
  resume: 'play',
  stop: 'stop',
  seek: 'seekTo',
};

const SERVER_NAMES = { plex: 'Plex', jellyfin: 'Jellyfin' } as const;

/** Sends `action` for `upstream` through its media server; resolves once the server accepted. */
export async function controlUpstream(
  stack: MediaStack,
  upstream: UpstreamSession,
  action: ControlAction,
  /** Seconds from the start, for `seek`. */
  position?: number,
): Promise<void> {
  const positionMs = Math.round((position ?? 0) * 1000);
  const { remote, session } = upstream;
  const source = session.source === 'jellyfin' ? 'jellyfin' : 'plex';
  const name = SERVER_NAMES[source];
  if (remote === undefined) {
    throw playbackError(
      'PLAYER_NOT_CONNECTED',
      source === 'plex'
        ? `The Plex player of session ${session.session_id} does not identify itself (no machineIdentifier), so Plex cannot relay commands to it`
        : `The Jellyfin client of session ${session.session_id} does not support remote control`,
    );
  }
  let status: number;
  let poll: (() => Promise<unknown>) | undefined;
  if (remote.source === 'jellyfin') {
    const entry = stack.get('jellyfin');
    if (entry === undefined) throw notConfigured(name);
    status = await entry.adapter.playstate(
      remote.sessionId,
      JELLYFIN_COMMANDS[action],
      action === 'seek' ? positionMs * TICKS_PER_MS : undefined,
    );
    poll = () => entry.poller.refreshAfterInFlight();
  } else {
    const entry = stack.get('plex');
    if (entry === undefined) throw notConfigured(name);
    status = await entry.adapter.playerCommand(
      remote.clientId,
      PLEX_COMMANDS[action],
      remote.mediaType,
      action === 'seek' ? positionMs : undefined,
    );
    poll = () => entry.poller.refreshAfterInFlight();
  }
  if (status < 200 || status >= 300) {
    throw playbackError(
      'PLAYER_ERROR',
      `${name} answered the ${action} command for session ${session.session_id} with HTTP ${status}`,
    );
  }
  void poll().catch(() => undefined);
}

function notConfigured(name: string) {
  return playbackError('PLAYER_NOT_CONNECTED', `${name} is no longer configured`);
}
