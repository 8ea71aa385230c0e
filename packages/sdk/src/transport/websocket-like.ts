/**
 * The smallest WebSocket surface the transport needs, satisfied by the browser's `WebSocket`, by
 * `ws` in Node and by test doubles. Only the `on*` handler properties are used because every
 * implementation has them; Node-only extras (protocol ping/pong, terminate) are feature-detected.
 */

/** What the transport reads from a close event. */
export interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** What the transport reads from a message event. */
export interface MessageEventLike {
  readonly data: unknown;
}

/**
 * A WebSocket instance. Handler parameters are typed `never` so that implementations with richer
 * event types (DOM, ws) stay assignable; the transport reads events through the `*Like` types.
 */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

/** A WebSocket constructor: `globalThis.WebSocket`, `ws`, or `isomorphic-ws` (the default). */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

/** `WebSocket.OPEN`, spelled out because test doubles need not carry the static constants. */
export const WS_OPEN = 1;

/** The extras `ws` has in Node: protocol-level ping/pong and a hard kill. */
export interface NodeWebSocketExtras {
  ping(): void;
  terminate(): void;
  on(event: 'ping' | 'pong', listener: () => void): unknown;
}

/** True for `ws` instances (Node); false for browser sockets, which expose no ping API. */
export function hasNodeExtras(
  socket: WebSocketLike,
): socket is WebSocketLike & NodeWebSocketExtras {
  return (
    'ping' in socket &&
    typeof socket.ping === 'function' &&
    'terminate' in socket &&
    typeof socket.terminate === 'function' &&
    'on' in socket &&
    typeof socket.on === 'function'
  );
}
