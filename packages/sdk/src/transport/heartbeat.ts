/**
 * Liveness watchdog for one connection. A peer counts as alive when anything arrives from it: a
 * message, a protocol pong, or a protocol ping the server sent on its own. The watchdog fires
 * when nothing arrived for `intervalMs + timeoutMs` (two intervals by default), so a silent peer
 * is found within about two intervals whatever the phase of the ping timer.
 */

/** Heartbeat settings; `heartbeat: false` turns the watchdog off. */
export interface HeartbeatOptions {
  /**
   * How often to ping the peer, in milliseconds. In Node (`ws`) this is a protocol-level ping;
   * in a browser, which has no ping API, it is `message()` when given, otherwise nothing is
   * sent and the socket relies on the server pushing something at least this often (the
   * now-playing channel pushes every 2 s). Set `heartbeat: false` on a quiet browser channel
   * without an app-level ping.
   * @default 15000
   */
  readonly intervalMs?: number;
  /**
   * How long after a due ping the peer may stay silent before it is presumed dead.
   * @default intervalMs
   */
  readonly timeoutMs?: number;
  /**
   * An app-level ping for sockets without protocol ping (browsers). Strings are sent as they
   * are, anything else as JSON. Ignored where protocol ping exists.
   * @default undefined
   */
  readonly message?: () => unknown;
}

export interface HeartbeatHooks {
  /** Sends one ping; errors are swallowed because a dead socket is what the watchdog finds. */
  readonly ping: () => void;
  /** Called once when the peer stayed silent for the whole window. */
  readonly onTimeout: () => void;
}

export class Heartbeat {
  readonly #intervalMs: number;
  readonly #windowMs: number;
  readonly #hooks: HeartbeatHooks;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(options: HeartbeatOptions, hooks: HeartbeatHooks) {
    this.#intervalMs = options.intervalMs ?? 15_000;
    this.#windowMs = this.#intervalMs + (options.timeoutMs ?? this.#intervalMs);
    this.#hooks = hooks;
  }

  /** Starts pinging and arms the watchdog; the open handshake counts as the first sign of life. */
  start(): void {
    this.stop();
    this.#pingTimer = setInterval(() => {
      try {
        this.#hooks.ping();
      } catch {
        // A socket that cannot take a ping is dead or dying; the watchdog reports it.
      }
    }, this.#intervalMs);
    this.alive();
  }

  /** Records a sign of life from the peer. */
  alive(): void {
    if (this.#pingTimer === undefined) return;
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      this.stop();
      this.#hooks.onTimeout();
    }, this.#windowMs);
  }

  stop(): void {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#watchdog);
    this.#pingTimer = undefined;
    this.#watchdog = undefined;
  }
}
