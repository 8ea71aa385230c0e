/**
 * Finds dead peers. A display that lost power never sends a close frame, and its TCP connection
 * can look open for hours; one ping per interval and a terminate for every socket that did not
 * answer the previous ping frees its slot and its subscriptions. One timer serves every socket
 * (N displays cost N pings per interval, not N timers), and it runs only while sockets exist.
 */
import { WebSocket } from 'ws';

export interface HeartbeatOptions {
  readonly intervalMs: number;
  /** Called for a socket that missed a ping, just before it is terminated. */
  readonly onDead: (socket: WebSocket) => void;
  /** @default globalThis.setInterval */
  readonly setInterval?: (fn: () => void, ms: number) => unknown;
  /** @default globalThis.clearInterval */
  readonly clearInterval?: (handle: unknown) => void;
}

export interface Heartbeat {
  /** Starts watching `socket`; a pong or any inbound message counts as a sign of life. */
  add(socket: WebSocket): void;
  remove(socket: WebSocket): void;
  /** Stops the timer and forgets every socket. */
  stop(): void;
}

export function createHeartbeat(options: HeartbeatOptions): Heartbeat {
  const setTimer =
    options.setInterval ??
    ((fn: () => void, ms: number): unknown => {
      const timer = setInterval(fn, ms);
      // The timer must never be what keeps a shutting-down server alive.
      timer.unref();
      return timer;
    });
  const clearTimer =
    options.clearInterval ??
    ((handle: unknown) => clearInterval(handle as ReturnType<typeof setInterval>));
  const alive = new Map<WebSocket, boolean>();
  let timer: unknown;

  const tick = (): void => {
    for (const [socket, answered] of alive) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      if (!answered) {
        alive.delete(socket);
        options.onDead(socket);
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  };

  const stopTimer = (): void => {
    if (timer === undefined) return;
    clearTimer(timer);
    timer = undefined;
  };

  return {
    add(socket) {
      alive.set(socket, true);
      const markAlive = (): void => {
        if (alive.has(socket)) alive.set(socket, true);
      };
      socket.on('pong', markAlive);
      socket.on('message', markAlive);
      timer ??= setTimer(tick, options.intervalMs);
    },
    remove(socket) {
      alive.delete(socket);
      if (alive.size === 0) stopTimer();
    },
    stop() {
      alive.clear();
      stopTimer();
    },
  };
}
