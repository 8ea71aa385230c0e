/**
 * The MQTT bridge (Marquee extension; seed 000's "Home Assistant integration through an MQTT
 * bridge"): the command messages a client publishes on `<prefix>/<node>/command/<kind>`, the
 * results the server publishes on `<prefix>/<node>/result`, and the allow-list that decides which
 * commands are accepted (`MARQUEE_MQTT_COMMANDS`). State topics and Home Assistant discovery are
 * described in docs/mqtt.md.
 */
import * as z from 'zod';
import { ServerAction } from './signage/actions';
import { CONTROL_TIMEOUT_MS, PlaybackAction } from './playback';
import { MAX_COMMAND_TTL_SECONDS } from './signage/admin-commands';

/** The client's id for a command, echoed in its results (a retry with the same id is not re-run). */
export const MqttCommandId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only');

/** `<prefix>/<node>/command/signage`: one signage action for one device (the admin command path). */
export const MqttSignageCommand = z
  .object({
    id: MqttCommandId,
    sn_number: z.string().min(1).max(255),
    command: ServerAction,
    ttl_seconds: z.number().int().min(1).max(MAX_COMMAND_TTL_SECONDS).optional(),
  })
  .strict()
  .meta({ id: 'MqttSignageCommand' });
export type MqttSignageCommand = z.infer<typeof MqttSignageCommand>;

/** `<prefix>/<node>/command/playback`: pause, resume or stop a Now Playing session. */
export const MqttPlaybackCommand = z
  .object({
    id: MqttCommandId,
    session_id: z.string().min(1).max(200),
    action: PlaybackAction,
    timeout_ms: z
      .number()
      .int()
      .min(CONTROL_TIMEOUT_MS.min)
      .max(CONTROL_TIMEOUT_MS.max)
      .default(CONTROL_TIMEOUT_MS.default),
  })
  .strict()
  .meta({ id: 'MqttPlaybackCommand' });
export type MqttPlaybackCommand = z.infer<typeof MqttPlaybackCommand>;

/** The command kinds, i.e. the last level of the command topic. */
export const MqttCommandKind = z.enum(['signage', 'playback']);
export type MqttCommandKind = z.infer<typeof MqttCommandKind>;

/** `"*"` or a list. */
const allowList = <T extends z.core.$ZodType<string>>(item: T) =>
  z.union([z.literal('*'), z.array(item).min(1).max(10_000)]);

/**
 * `MARQUEE_MQTT_COMMANDS` (JSON): which commands the bridge accepts. A kind left out is refused;
 * unset, the bridge subscribes to no command topic at all.
 */
export const MqttCommandPolicy = z
  .object({
    signage: z
      .object({
        /** Device serial numbers the bridge may command, or `"*"`. */
        devices: allowList(z.string().min(1).max(255)),
        /** Action names (`reload_playlist`, `set_volume` ...), or `"*"`. */
        actions: allowList(z.string().min(1).max(64)),
      })
      .strict()
      .optional(),
    playback: z
      .object({
        /** `pause`, `resume`, `stop`, or `"*"`. */
        actions: allowList(PlaybackAction),
      })
      .strict()
      .optional(),
  })
  .strict()
  .meta({ id: 'MqttCommandPolicy' });
export type MqttCommandPolicy = z.infer<typeof MqttCommandPolicy>;

/** Why a command was not carried out. */
export const MqttCommandErrorCode = z.enum([
  /** Not JSON, too large, or fails the command's schema. */
  'INVALID_PAYLOAD',
  /** The topic names no command kind. */
  'UNKNOWN_COMMAND',
  /** The allow-list does not grant it. */
  'FORBIDDEN',
  /** No such device or session. */
  'NOT_FOUND',
  /** The device's queue is full (MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE). */
  'RATE_LIMITED',
  /** The command ran and failed: the device or player refused, timed out or disconnected. */
  'FAILED',
  /** An `id` already used recently: the command is not run again (see its earlier results). */
  'DUPLICATE',
]);
export type MqttCommandErrorCode = z.infer<typeof MqttCommandErrorCode>;

/**
 * Published on `<prefix>/<node>/result` (not retained). A signage command gets `accepted` (stored,
 * with its `command_id` and first state) and then, when the device answers, `acked`, `failed` or
 * `expired`; a playback command one `acked` or an error.
 */
export const MqttCommandResult = z
  .object({
    /** The command's `id`; null when the payload held none that could be read. */
    id: z.string().nullable(),
    kind: z.string(),
    ok: z.boolean(),
    status: z.enum(['accepted', 'sent', 'acked', 'failed', 'expired', 'error']),
    command_id: z.string().optional(),
    sn_number: z.string().optional(),
    session_id: z.string().optional(),
    error: z.object({ code: MqttCommandErrorCode, message: z.string() }).optional(),
    /** Unix ms. */
    at: z.number(),
  })
  .meta({ id: 'MqttCommandResult' });
export type MqttCommandResult = z.infer<typeof MqttCommandResult>;
