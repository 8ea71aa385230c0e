/**
 * Everything the server sends on `/ws/cloud/tb_device/`: the seed's control actions plus
 * Marquee's `error` reply to a device message it could not accept.
 */
import * as z from 'zod/mini';
import { ServerAction } from './actions';

/**
 * Marquee's reply to an invalid device message (bad JSON, unknown `type`, a `downloading`
 * status without counts, ...). It has `type` rather than `action`, so a seed-only device that
 * switches on `action` sees no action and ignores it; the socket stays open.
 */
export const SocketErrorMessage = z
  .object({
    type: z.literal('error'),
    message: z.string(),
    /** Machine-readable code from Marquee's error code map. */
    code: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: 'SignageSocketErrorMessage' });
export type SocketErrorMessage = z.infer<typeof SocketErrorMessage>;

/**
 * Any server message. A plain union because the two halves use different discriminators
 * (`action` vs `type`); parse with this, then narrow with `'action' in message`.
 */
export const ServerMessage = z
  .union([ServerAction, SocketErrorMessage])
  .register(z.globalRegistry, { id: 'SignageServerMessage' });
export type ServerMessage = z.infer<typeof ServerMessage>;
