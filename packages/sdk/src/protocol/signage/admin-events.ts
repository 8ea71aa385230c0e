/**
 * `WS /ws/cloud/admin/` (Marquee extension): what changes in the fleet, pushed to operator
 * consoles so they need not poll. Push-only; every message is a notice of a change with the
 * fields that changed, and a console that wants the whole picture reads the REST list again (it
 * does so on every (re)connect, since what happened while it was away is not replayed).
 *
 * Bounded: each socket has the server's send queue (`MARQUEE_WS_MAX_QUEUED_MESSAGES`); a device's
 * last-seen and status notices replace an older queued one of the same device and kind, a
 * command's notices an older queued one of the same command. A console that still falls that far
 * behind (a broadcast to a very large fleet) is closed with 4008 SLOW_CONSUMER and reconnects.
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegativeInt, positiveInt } from '../primitives';
import { Role } from '../roles';
import { CommandState } from './admin-commands';
import { PlaylistReport } from './admin-devices';

/** First message on every socket: the subscription is live from here on. */
export const AdminHelloMessage = z
  .object({ type: z.literal('hello'), role: Role, at: isoDateTime })
  .register(z.globalRegistry, { id: 'SignageAdminHello' });
export type AdminHelloMessage = z.infer<typeof AdminHelloMessage>;

/**
 * - `online` / `offline`: its device socket opened or closed (`online`, `last_seen` set);
 * - `last_seen`: it spoke on its socket (at most once per device every 10 s);
 * - `status`: a `playlist_status` or `ready_playlists` report (`playlist_status` set for the
 *   former);
 * - `current_playlist`: the playlist it plays changed (an acknowledged `switch_playlist`, or a
 *   screen assignment);
 * - `screenshot`: it uploaded a screenshot;
 * - `removed`: an operator deleted it.
 */
export const DeviceChange = z.enum([
  'online',
  'offline',
  'last_seen',
  'status',
  'current_playlist',
  'screenshot',
  'removed',
]);
export type DeviceChange = z.infer<typeof DeviceChange>;

export const AdminDeviceMessage = z
  .object({
    type: z.literal('device'),
    change: DeviceChange,
    sn_number: z.string(),
    online: z.optional(z.boolean()),
    last_seen: z.optional(isoDateTime),
    current_playlist: z.optional(z.nullable(positiveInt)),
    playlist_status: z.optional(z.pick(PlaylistReport, { playlist_id: true, status: true })),
    at: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'SignageAdminDeviceEvent' });
export type AdminDeviceMessage = z.infer<typeof AdminDeviceMessage>;

/** A pairing code appeared (`pending`), or an operator approved or rejected it. */
export const AdminPairingMessage = z
  .object({
    type: z.literal('pairing'),
    change: z.enum(['pending', 'approved', 'rejected']),
    code: z.string(),
    /** The device the code was approved as (`approved` only). */
    sn_number: z.optional(z.string()),
    at: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'SignageAdminPairingEvent' });
export type AdminPairingMessage = z.infer<typeof AdminPairingMessage>;

/** A command entered a state: `queued` when issued, then `sent`, `acked`, `failed`, `expired`. */
export const AdminCommandMessage = z
  .object({
    type: z.literal('command'),
    command_id: z.string(),
    sn_number: z.string(),
    /** The command's `action` (`switch_playlist`, `take_screenshot` ...). */
    action: z.string(),
    state: CommandState,
    error: z.optional(z.nullable(z.string())),
    at: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'SignageAdminCommandEvent' });
export type AdminCommandMessage = z.infer<typeof AdminCommandMessage>;

/** Queued commands ran past their TTL in the server's expiry sweep; lists should be re-read. */
export const AdminCommandsExpiredMessage = z
  .object({ type: z.literal('commands_expired'), count: nonNegativeInt, at: isoDateTime })
  .register(z.globalRegistry, { id: 'SignageAdminCommandsExpired' });
export type AdminCommandsExpiredMessage = z.infer<typeof AdminCommandsExpiredMessage>;

export const AdminServerMessage = z
  .discriminatedUnion('type', [
    AdminHelloMessage,
    AdminDeviceMessage,
    AdminPairingMessage,
    AdminCommandMessage,
    AdminCommandsExpiredMessage,
  ])
  .register(z.globalRegistry, { id: 'SignageAdminServerMessage' });
export type AdminServerMessage = z.infer<typeof AdminServerMessage>;
