/**
 * Playback control (issue 3): `POST /api/dashboard/session/{session_id}/control` relays pause,
 * resume or stop to the web player that plays the session (see `players.ts` for how it is
 * chosen) and answers once that player acknowledges:
 *
 * - 404 unknown session, 403 neither its owner nor an admin (display tokens never reach here);
 * - 409 PLAYER_NOT_CONNECTED: nobody to send it to, so it was not sent and a retry is safe;
 * - 502 PLAYER_ERROR (the player's own error) or PLAYER_DISCONNECTED, 504 UPSTREAM_TIMEOUT
 *   after `timeout_ms`: it was sent, and whether it took effect is for the next snapshot to say.
 *
 * A session read from Plex or Jellyfin (upstream-sessions.ts) has no Marquee player: its command
 * goes to the media server, which relays it to its client (upstream-control.ts), and the answer
 * comes once the media server accepted it; the next listing (pushed at once) shows the effect.
 *
 * The player is the truth about pause and resume: it posts the new state as a session update,
 * which broadcasts it. A stop is also applied here once acknowledged, exactly like the stop
 * route (the session is removed and recorded in history), so panels see it go at once.
 */
import { randomUUID } from 'node:crypto';
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import type { AuthService, UserIdentity } from '../../core/auth';
import { mountRoutes, type Authenticator } from '../../core/routes';
import type { WsGateway } from '../../core/ws';
import { PendingCommands, playbackError, type CommandTimers } from './commands';
import { mountPlayerChannel } from './player-channel';
import { PlayerRegistry } from './players';
import type { NowPlayingService } from './service';
import { controlUpstream } from './upstream-control';
import type { MediaStack } from '../../integrations/media';

const { playback, nowPlaying } = protocol;

type ControlRequest = protocol.playback.ControlRequest;

export interface PlaybackControlOptions {
  readonly app: FastifyInstance;
  readonly service: NowPlayingService;
  readonly gateway: WsGateway;
  readonly auth: Pick<AuthService, 'authenticate'>;
  readonly authenticate: Authenticator;
  /** Unix ms, for `issued_at`. */
  readonly now: () => number;
  readonly validateResponses: boolean;
  /** Timeout timers. @default globalThis.setTimeout / clearTimeout */
  readonly timers?: CommandTimers;
  /** Plex / Jellyfin, for the sessions read from them. */
  readonly mediaStack?: MediaStack;
}

/** Relays one command to the session's player and resolves once it acknowledged (see above). */
export type PlaybackControl = (
  identity: UserIdentity,
  sessionId: string,
  body: Required<Omit<ControlRequest, 'position'>> & Pick<ControlRequest, 'position'>,
) => Promise<protocol.playback.ControlResponse>;

/**
 * Mounts the control route and the player channel; returns the shutdown function and the control
 * path itself (the MQTT bridge's playback commands take it too).
 */
export function mountPlaybackControl(options: PlaybackControlOptions): {
  readonly stop: () => void;
  readonly control: PlaybackControl;
} {
  const { app, service, now } = options;
  const players = new PlayerRegistry();
  const commands = new PendingCommands(options.timers ? { timers: options.timers } : {});

  mountPlayerChannel({
    gateway: options.gateway,
    auth: options.auth,
    players,
    commands,
    tracker: service.tracker,
    logger: app.log,
  });

  const control: PlaybackControl = async (identity, sessionId, body) => {
    const upstream = service.upstreamSession(sessionId);
    if (upstream !== undefined && options.mediaStack !== undefined) {
      await controlUpstream(options.mediaStack, upstream, body.action, body.position);
      return {
        status: 'ok',
        command_id: randomUUID(),
        session_id: sessionId,
        action: body.action,
        acknowledged: true,
      };
    }
    const tracked = service.tracker.get(sessionId);
    if (!tracked) throw new MarqueeError('NOT_FOUND', `Session ${sessionId} not found`);
    const { action } = body;
    if (action === 'seek') {
      throw playbackError(
        'PLAYER_NOT_CONNECTED',
        'Marquee players take pause, resume and stop; seek is for Plex and Jellyfin sessions',
      );
    }
    // No owner check: the route's `operator` policy lets in operators and admins only, and they
    // control any session (a panel on the wall pauses whoever is watching).
    const route = players.route(tracked.session);
    if (!route.ok) {
      throw playbackError(
        'PLAYER_NOT_CONNECTED',
        route.reason === 'none'
          ? 'No player is connected for this session'
          : 'Several players of this user are connected and none has claimed this session',
      );
    }
    const { commandId, done } = commands.issue(route.player.id, body.timeout_ms);
    const sent = route.player.send({
      type: 'control',
      command_id: commandId,
      session_id: sessionId,
      action,
      issued_at: now() / 1000,
      timeout_ms: body.timeout_ms,
    });
    if (!sent) {
      commands.fail(
        commandId,
        playbackError('PLAYER_NOT_CONNECTED', 'The player is disconnecting'),
      );
    }
    await done;
    // The player may have ended the session itself meanwhile; stopping it again is not an error.
    if (action === 'stop' && service.tracker.get(sessionId)) service.stop(identity, sessionId);
    return {
      status: 'ok',
      command_id: commandId,
      session_id: sessionId,
      action,
      acknowledged: true,
    };
  };

  mountRoutes(app, playback.playbackRoutes, {
    surface: nowPlaying.nowPlayingSurface,
    authenticate: options.authenticate,
    validateResponses: options.validateResponses,
    handlers: {
      'nowPlaying.sessionControl': ({ params, body, identity }) => {
        if (identity?.kind !== 'user') {
          throw new MarqueeError('FORBIDDEN', 'A user account is required');
        }
        return control(identity, params.session_id, body);
      },
    },
  });

  return {
    control,
    stop: () =>
      commands.failAll(new MarqueeError('SERVICE_UNAVAILABLE', 'The server is shutting down')),
  };
}
