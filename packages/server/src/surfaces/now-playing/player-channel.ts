/**
 * `WS /api/dashboard/player/ws`: where web players receive playback commands. A signed-in user's
 * token (Bearer header or `?token=`) opens it; display tokens are refused before the handshake
 * since a read-only panel must not impersonate a player. Every player is registered for routing
 * on connect and announced with `ready`; when it goes away, its claims go and the commands still
 * waiting for its ack fail at once (PLAYER_DISCONNECTED) instead of running into their timeout.
 *
 * A malformed message is answered with an `error` message and the socket stays open: a player
 * with a bug should keep receiving commands it can handle.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import * as z from 'zod';
import {
  authenticateRequest,
  authorize,
  credentialsFromRequest,
  principalOf,
  type AuthService,
  type UserIdentity,
} from '../../core/auth';
import { validationError } from '../../core/http-errors';
import type { WsGateway } from '../../core/ws';
import { playbackError, type PendingCommands } from './commands';
import type { Player, PlayerRegistry } from './players';
import type { SessionTracker } from './sessions';

const { playback, nowPlaying } = protocol;

export interface PlayerChannelOptions {
  readonly gateway: WsGateway;
  readonly auth: Pick<AuthService, 'authenticate'>;
  readonly players: PlayerRegistry;
  readonly commands: PendingCommands;
  readonly tracker: Pick<SessionTracker, 'get'>;
  readonly logger: { debug(obj: object, msg?: string): void };
}

export function mountPlayerChannel(options: PlayerChannelOptions): void {
  const { players, commands, tracker, logger } = options;

  const handle = (player: Player, text: string): void => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      player.send({ type: 'error', code: 'BAD_REQUEST', message: 'Malformed JSON message' });
      return;
    }
    // zod's function form yields classic ZodErrors whatever flavour the schema is.
    const parsed = z.safeParse(playback.PlayerClientMessage, json);
    if (!parsed.success) {
      const error = validationError(parsed.error, 'message');
      player.send({ type: 'error', code: error.code, message: error.message });
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ack':
        if (!commands.ack(player.id, message)) {
          logger.debug({ player: player.id, command: message.command_id }, 'late or unknown ack');
        }
        return;
      case 'claim': {
        const owner = tracker.get(message.session_id)?.session.user_id;
        if (owner !== undefined && owner !== player.userId && !player.admin) {
          player.send({
            type: 'claimed',
            session_id: message.session_id,
            ok: false,
            error: 'This session belongs to another user',
          });
          return;
        }
        players.claim(player.id, message.session_id);
        player.send({ type: 'claimed', session_id: message.session_id, ok: true });
        return;
      }
      case 'release':
        players.release(player.id, message.session_id);
        return;
      case 'ping':
        player.send({ type: 'pong' });
        return;
    }
  };

  options.gateway.channel<UserIdentity>(playback.playbackChannels[0].path, {
    authorize: async (req, url) => {
      const identity = await authenticateRequest(
        options.auth,
        credentialsFromRequest(req.headers, url),
      );
      authorize('user', identity, 'now-playing');
      if (identity?.kind !== 'user')
        throw new MarqueeError('FORBIDDEN', 'A user account is required');
      return identity;
    },
    principalOf,
    onConnection: (conn, identity) => {
      const player: Player = {
        id: conn.id,
        userId: identity.userId,
        admin: identity.role === 'admin',
        send: (message) => conn.send(JSON.stringify(message)),
      };
      players.add(player);
      conn.onMessage((text) => handle(player, text));
      conn.onClose(() => {
        players.remove(player.id);
        commands.failPlayer(
          player.id,
          playbackError('PLAYER_DISCONNECTED', 'The player disconnected before acknowledging'),
        );
      });
      player.send({ type: 'ready', player_id: player.id });
    },
    renderError: (error) =>
      nowPlaying.nowPlayingErrorShape.render({
        status: error.status,
        code: error.code,
        message: error.message,
      }),
  });
}
