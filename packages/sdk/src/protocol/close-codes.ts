/**
 * WebSocket close codes Marquee uses, on every channel. 1000–1015 are RFC 6455's; 4000–4999 are
 * for applications. Clients decide from the code whether reconnecting can help.
 */
export const CloseCodes = {
  /** Normal closure: the client or server closed on purpose. */
  NORMAL: 1000,
  /** The server is shutting down or restarting; reconnect with backoff. */
  GOING_AWAY: 1001,
  /** A message broke the protocol badly enough that the socket cannot continue. */
  PROTOCOL_ERROR: 1002,
  /** The channel speaks JSON text and a binary frame arrived (RFC 6455's "unsupported data"). */
  UNSUPPORTED_DATA: 1003,
  /**
   * A text frame that is not valid UTF-8 (RFC 6455's "invalid frame payload data"). The socket
   * is closed; reconnect and send UTF-8 JSON.
   */
  INVALID_PAYLOAD: 1007,
  /** Policy violation (generic); see the 4xxx codes for the specific reasons Marquee uses. */
  POLICY_VIOLATION: 1008,
  /** An inbound message exceeded the maximum payload (64 KB by default). */
  MESSAGE_TOO_BIG: 1009,
  /** The server hit an unexpected condition. */
  INTERNAL_ERROR: 1011,
  /** Too many connections from this address, or the server is overloaded; retry later. */
  TRY_AGAIN_LATER: 1013,
  /** No token, or an invalid, expired or revoked one. Reconnecting needs a new token. */
  UNAUTHORIZED: 4001,
  /** The token is valid but not allowed on this channel or for this device. Do not retry. */
  FORBIDDEN: 4003,
  /**
   * An admin removed (decommissioned) the device: its record, screens and commands are gone.
   * Do not reconnect; the `sn_number` must register again, and then it is a new device.
   */
  DEVICE_REMOVED: 4004,
  /** The connection did not read its messages fast enough and its send queue overflowed. */
  SLOW_CONSUMER: 4008,
  /** A newer connection for the same device replaced this one. Do not reconnect automatically. */
  REPLACED: 4009,
} as const;

export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];

/**
 * Whether an automatic reconnect can succeed after a close with `code`. UNAUTHORIZED is
 * retryable because the token provider is asked again on every reconnect and may refresh.
 */
export function isRetryableClose(code: number): boolean {
  return (
    code !== CloseCodes.FORBIDDEN &&
    code !== CloseCodes.REPLACED &&
    code !== CloseCodes.DEVICE_REMOVED
  );
}
