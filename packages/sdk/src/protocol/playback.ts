/**
 * Playback control for the Now Playing surface (Marquee extension of seed 000, whose "Future
 * Enhancements" plan "pause/resume/stop from dashboard"). A dashboard calls
 * `POST /api/dashboard/session/{session_id}/control`; the server relays the command over
 * `WS /api/dashboard/player/ws` to the web player that owns the session and answers once that
 * player acknowledges it, or fails when it refuses, disconnects or stays silent too long.
 *
 * Routing: a player `claim`s the sessions it plays (again after every reconnect). A command goes
 * to the player with the latest claim; without a claim, to the session owner's only connected
 * player. Several unclaimed players of the same user are ambiguous and answer 409 rather than
 * pausing the wrong screen.
 *
 * Errors use the surface's FastAPI shape `{detail, code}`. The statuses tell a dashboard whether
 * a retry is safe: 409 means the command was never delivered, 502 and 504 that it was delivered
 * and its outcome is unknown or negative.
 */
import * as z from 'zod/mini';
import { NowPlayingError } from './now-playing';
import { unixSeconds } from './primitives';
import { defineChannel, defineRoute, response } from './tables';

/** What a dashboard may ask a player to do. */
export const PlaybackAction = z.enum(['pause', 'resume', 'stop']);
export type PlaybackAction = z.infer<typeof PlaybackAction>;

/**
 * What the control route takes: the player actions, and `seek` (to `position`), which only the
 * media servers' sessions (Plex, Jellyfin) take; Marquee's own players answer 409 to it.
 */
export const ControlAction = z.enum(['pause', 'resume', 'stop', 'seek']);
export type ControlAction = z.infer<typeof ControlAction>;

/**
 * Error codes of the control route beyond the generic ones (UNAUTHORIZED, FORBIDDEN, NOT_FOUND,
 * BAD_REQUEST), with their HTTP status.
 */
export const PlaybackErrorCodes = {
  /** No connected player can take the command (none, or several unclaimed); not delivered. */
  PLAYER_NOT_CONNECTED: 409,
  /** The player acknowledged with `ok: false`; `detail` is its `error`. */
  PLAYER_ERROR: 502,
  /** The player disconnected after the command was sent and before it acknowledged. */
  PLAYER_DISCONNECTED: 502,
  /** No acknowledgement within `timeout_ms`. */
  UPSTREAM_TIMEOUT: 504,
} as const;
export type PlaybackErrorCode = keyof typeof PlaybackErrorCodes;

/** Bounds of `timeout_ms`, in milliseconds. */
export const CONTROL_TIMEOUT_MS = { min: 100, max: 30_000, default: 5_000 } as const;

const sessionId = z.string().check(z.minLength(1), z.maxLength(200));
const commandId = z.string().check(z.minLength(1), z.maxLength(128));

export const ControlParams = z.object({ session_id: sessionId });

/** Body of the control route. */
export const ControlRequest = z
  .object({
    action: ControlAction,
    /** Where to seek to, in seconds from the start; required with `seek`, refused without. */
    position: z.optional(z.number().check(z.minimum(0), z.maximum(1_000_000))),
    /** How long to wait for the player's acknowledgement before answering 504. */
    timeout_ms: z._default(
      z
        .number()
        .check(z.int(), z.minimum(CONTROL_TIMEOUT_MS.min), z.maximum(CONTROL_TIMEOUT_MS.max)),
      CONTROL_TIMEOUT_MS.default,
    ),
  })
  .check(
    z.refine((body) => (body.action === 'seek') === (body.position !== undefined), {
      message: '`position` goes with `seek`, and only with it',
      path: ['position'],
    }),
  )
  .register(z.globalRegistry, { id: 'PlaybackControlRequest' });
export type ControlRequest = z.input<typeof ControlRequest>;

/** The player applied the command. */
export const ControlResponse = z
  .object({
    status: z.literal('ok'),
    command_id: commandId,
    session_id: sessionId,
    action: ControlAction,
    acknowledged: z.literal(true),
  })
  .register(z.globalRegistry, { id: 'PlaybackControlResponse' });
export type ControlResponse = z.infer<typeof ControlResponse>;

// Server → player

/** Sent once the player is registered; commands can arrive from now on. */
export const PlayerReady = z
  .object({ type: z.literal('ready'), player_id: z.string().check(z.minLength(1)) })
  .register(z.globalRegistry, { id: 'PlaybackPlayerReady' });
export type PlayerReady = z.infer<typeof PlayerReady>;

/** A command for one session; answer with an `ack` carrying the same `command_id`. */
export const ControlCommand = z
  .object({
    type: z.literal('control'),
    command_id: commandId,
    session_id: sessionId,
    action: PlaybackAction,
    /** Unix seconds (fractional) when the server issued the command. */
    issued_at: unixSeconds,
    /** How long the server waits for the `ack`; a later one is ignored. */
    timeout_ms: z.number().check(z.int(), z.minimum(0)),
  })
  .register(z.globalRegistry, { id: 'PlaybackControlCommand' });
export type ControlCommand = z.infer<typeof ControlCommand>;

/** The answer to a `claim`: refused when the session belongs to another user. */
export const ClaimResult = z
  .object({
    type: z.literal('claimed'),
    session_id: sessionId,
    ok: z.boolean(),
    error: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: 'PlaybackClaimResult' });
export type ClaimResult = z.infer<typeof ClaimResult>;

/** The answer to an app-level `ping` (browsers have no protocol-level ping). */
export const PlayerPong = z
  .object({ type: z.literal('pong') })
  .register(z.globalRegistry, { id: 'PlaybackPlayerPong' });

/** A client message the server could not use; the socket stays open. */
export const PlayerChannelError = z
  .object({ type: z.literal('error'), code: z.string(), message: z.string() })
  .register(z.globalRegistry, { id: 'PlaybackPlayerChannelError' });
export type PlayerChannelError = z.infer<typeof PlayerChannelError>;

export const PlayerServerMessage = z
  .discriminatedUnion('type', [
    PlayerReady,
    ControlCommand,
    ClaimResult,
    PlayerPong,
    PlayerChannelError,
  ])
  .register(z.globalRegistry, { id: 'PlaybackPlayerServerMessage' });
export type PlayerServerMessage = z.infer<typeof PlayerServerMessage>;

// Player → server

/** The outcome of a `control` command. */
export const PlayerAck = z
  .object({
    type: z.literal('ack'),
    command_id: commandId,
    ok: z.boolean(),
    /** Why the player could not apply the command, when `ok` is false. */
    error: z.optional(z.string().check(z.maxLength(2000))),
  })
  .register(z.globalRegistry, { id: 'PlaybackPlayerAck' });
export type PlayerAck = z.infer<typeof PlayerAck>;

/** "I play this session": commands for it come to this connection. Send again on reconnect. */
export const PlayerClaim = z
  .object({ type: z.literal('claim'), session_id: sessionId })
  .register(z.globalRegistry, { id: 'PlaybackPlayerClaim' });
export type PlayerClaim = z.infer<typeof PlayerClaim>;

/** The player no longer plays this session. */
export const PlayerRelease = z
  .object({ type: z.literal('release'), session_id: sessionId })
  .register(z.globalRegistry, { id: 'PlaybackPlayerRelease' });
export type PlayerRelease = z.infer<typeof PlayerRelease>;

/** App-level keep-alive; the server answers `pong`. */
export const PlayerPing = z
  .object({ type: z.literal('ping') })
  .register(z.globalRegistry, { id: 'PlaybackPlayerPing' });

export const PlayerClientMessage = z
  .discriminatedUnion('type', [PlayerAck, PlayerClaim, PlayerRelease, PlayerPing])
  .register(z.globalRegistry, { id: 'PlaybackPlayerClientMessage' });
export type PlayerClientMessage = z.infer<typeof PlayerClientMessage>;

const errorResponse = (description: string) => response(description, NowPlayingError);

export const playbackRoutes = [
  defineRoute({
    id: 'nowPlaying.sessionControl',
    method: 'POST',
    path: '/api/dashboard/session/{session_id}/control',
    summary:
      'Pause, resume or stop a session on the web player that plays it; answers once the player acknowledges (stop also removes the session). A session read from Plex or Jellyfin (`source`) is controlled through its media server (Plex companion API, Jellyfin playstate commands), and also takes `seek` to `position` seconds; the answer comes once the media server accepted the command',
    auth: 'operator',
    params: ControlParams,
    body: ControlRequest,
    bodyKind: 'json',
    extension: true,
    responses: {
      200: response('The player applied the command', ControlResponse),
      400: errorResponse('Malformed JSON or invalid fields'),
      401: errorResponse('Missing or invalid token'),
      403: errorResponse(
        'Not an operator or admin (viewers, device accounts and display tokens cannot control)',
      ),
      404: errorResponse('No such session'),
      409: errorResponse(
        'No player connected for this session, a Plex / Jellyfin client that takes no remote control, or `seek` for a session of a Marquee player (PLAYER_NOT_CONNECTED); not sent',
      ),
      502: errorResponse(
        'The player refused (PLAYER_ERROR, detail is its error; for Plex / Jellyfin the status the media server answered) or disconnected before answering (PLAYER_DISCONNECTED)',
      ),
      503: errorResponse(
        'The server is shutting down, or the media server is not reachable; the command may or may not have been applied',
      ),
      504: errorResponse(
        'No acknowledgement within timeout_ms, or the media server did not answer in time (UPSTREAM_TIMEOUT)',
      ),
    },
  }),
] as const;

export const playbackChannels = [
  defineChannel({
    id: 'nowPlaying.player',
    path: '/api/dashboard/player/ws',
    summary:
      'Web players receive control commands and acknowledge them; they claim the sessions they play. Token as Bearer or ?token=.',
    auth: 'operator',
    serverMessages: PlayerServerMessage,
    clientMessages: PlayerClientMessage,
    extension: true,
  }),
] as const;
