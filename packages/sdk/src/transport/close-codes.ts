/**
 * Close codes the client synthesises for connections it gives up on itself. They appear in the
 * socket's `close` event (with `wasClean: false`) but never come from a server: the codes a
 * server sends, and which of them are worth a reconnect, are the protocol's `CloseCodes` table
 * (`protocol/close-codes.ts`). These sit at the top of the private range, apart from that table.
 */
export const ClientCloseCodes = {
  /** Nothing arrived within the heartbeat window; the peer is presumed dead. Reconnect. */
  HEARTBEAT_TIMEOUT: 4990,
  /** The opening handshake did not finish within `connectTimeoutMs`. Reconnect. */
  CONNECT_TIMEOUT: 4991,
  /** The attempt failed before a socket existed (the token provider or the URL threw). */
  CONNECT_FAILED: 4992,
} as const;

export type ClientCloseCode = (typeof ClientCloseCodes)[keyof typeof ClientCloseCodes];
