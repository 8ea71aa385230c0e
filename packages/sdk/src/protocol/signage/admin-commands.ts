/**
 * Fleet admin API: commands. Any server → device action can be sent to one device, a list of
 * devices or all of them. Each device gets its own command with a `command_id`; an online device
 * receives it at once, an offline one when it next connects (in the order the commands were
 * issued, each exactly once) unless its TTL ran out first.
 *
 * States: `queued` (stored, not yet delivered) → `sent` (written to the device's socket) →
 * `acked` / `failed` (the device's `ack` said ok / not ok). `expired`: the TTL passed while it
 * was still queued, so it was never delivered, or the device received it after its `expires_at`
 * and acked it as expired without applying it. A device written from the seed alone never acks,
 * so its commands stay `sent`.
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegativeInt, queryInt } from '../primitives';
import { ServerAction } from './actions';

export const CommandState = z
  .enum(['queued', 'sent', 'acked', 'failed', 'expired'])
  .register(z.globalRegistry, { id: 'SignageCommandState' });
export type CommandState = z.infer<typeof CommandState>;

/** Longest accepted TTL: 30 days. */
export const MAX_COMMAND_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Body of `POST devices/{sn_number}/commands/`. A `command_id` inside `command` is ignored: the
 * server assigns one per device.
 */
export const CommandRequest = z
  .object({
    command: ServerAction,
    /**
     * How long an offline device's command waits for it, in seconds.
     * @default the server's MARQUEE_COMMAND_TTL_SECONDS (one day)
     */
    ttl_seconds: z.optional(
      z.number().check(z.int(), z.minimum(1), z.maximum(MAX_COMMAND_TTL_SECONDS)),
    ),
  })
  .register(z.globalRegistry, { id: 'SignageCommandRequest' });
export type CommandRequest = z.input<typeof CommandRequest>;

/** Body of `POST commands/`: the same command for a list of devices, or `"all"` registered ones. */
export const BroadcastCommandRequest = z
  .object({
    command: ServerAction,
    ttl_seconds: z.optional(
      z.number().check(z.int(), z.minimum(1), z.maximum(MAX_COMMAND_TTL_SECONDS)),
    ),
    /** Every listed device must exist (404 otherwise, and nothing is sent). */
    sn_numbers: z.union([
      z
        .array(z.string().check(z.minLength(1), z.maxLength(255)))
        .check(z.minLength(1), z.maxLength(10_000)),
      z.literal('all'),
    ]),
  })
  .register(z.globalRegistry, { id: 'SignageBroadcastCommandRequest' });
export type BroadcastCommandRequest = z.input<typeof BroadcastCommandRequest>;

/** One command created by a request, with its state right after the attempt to deliver it. */
export const CommandAccepted = z
  .object({
    command_id: z.string().check(z.minLength(1)),
    sn_number: z.string().check(z.minLength(1)),
    state: CommandState,
  })
  .register(z.globalRegistry, { id: 'SignageCommandAccepted' });
export type CommandAccepted = z.infer<typeof CommandAccepted>;

/** 202 answer: one command per target device, in request order. */
export const CommandsAccepted = z
  .object({ commands: z.array(CommandAccepted) })
  .register(z.globalRegistry, { id: 'SignageCommandsAccepted' });
export type CommandsAccepted = z.infer<typeof CommandsAccepted>;

/** A device a broadcast left out, and why. */
export const SkippedDevice = z
  .object({
    sn_number: z.string().check(z.minLength(1)),
    /**
     * `queue_full`: the device already holds the server's MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE
     * commands waiting for delivery (state `queued`); they go out when it connects, or expire.
     */
    reason: z.literal('queue_full'),
  })
  .register(z.globalRegistry, { id: 'SignageSkippedDevice' });
export type SkippedDevice = z.infer<typeof SkippedDevice>;

/**
 * 202 answer of a broadcast: one command per device that got one, in request order, and the
 * devices that got none because their queue was full (a broadcast does not fail for them).
 */
export const BroadcastAccepted = z
  .extend(CommandsAccepted, {
    skipped: z.array(SkippedDevice),
  })
  .register(z.globalRegistry, { id: 'SignageBroadcastAccepted' });
export type BroadcastAccepted = z.infer<typeof BroadcastAccepted>;

/** A command and what became of it. */
export const CommandRecord = z
  .object({
    command_id: z.string().check(z.minLength(1)),
    sn_number: z.string().check(z.minLength(1)),
    /** The message exactly as the device receives it (with `command_id`). */
    command: ServerAction,
    state: CommandState,
    created_at: isoDateTime,
    /** After this, a still-queued command expires instead of being delivered. */
    expires_at: isoDateTime,
    sent_at: z.nullable(isoDateTime),
    /** When the device's `ack` arrived (state `acked` or `failed`). */
    acked_at: z.nullable(isoDateTime),
    /** The device's error from a failed `ack`. */
    error: z.nullable(z.string()),
  })
  .register(z.globalRegistry, { id: 'SignageCommandRecord' });
export type CommandRecord = z.infer<typeof CommandRecord>;

export const CommandList = z
  .object({ count: nonNegativeInt, results: z.array(CommandRecord) })
  .register(z.globalRegistry, { id: 'SignageCommandList' });
export type CommandList = z.infer<typeof CommandList>;

/** `?state=&limit=` of a device's command list (newest first). */
export const CommandListQuery = z.object({
  state: z.optional(CommandState),
  /** @default 100 */
  limit: z.optional(queryInt(1, 1000)),
});
export type CommandListQuery = z.infer<typeof CommandListQuery>;

export const CommandIdParams = z.object({
  command_id: z.string().check(z.minLength(1), z.maxLength(128)),
});
export type CommandIdParams = z.infer<typeof CommandIdParams>;
