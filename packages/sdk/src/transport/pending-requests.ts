/**
 * Requests in flight over a socket: each waits for the first incoming message its `match`
 * accepts. A request fails with TIMEOUT when no reply came in time and with CONNECTION_CLOSED
 * when the connection it was sent on drops (its reply can no longer arrive) or when it was
 * dropped from the send queue before it was ever sent.
 */
import { MarqueeError } from '../errors';

/** Options of `socket.request()`. */
export interface RequestOptions<In> {
  /** Picks the reply out of the incoming stream. */
  readonly match: (incoming: In) => boolean;
  /**
   * How long to wait for the reply, in milliseconds.
   * @default 10000
   */
  readonly timeoutMs?: number;
}

interface Pending<In> {
  readonly match: (incoming: In) => boolean;
  readonly resolve: (message: In) => void;
  readonly reject: (error: MarqueeError) => void;
  /** True once the request was written to a socket; only those fail when it drops. */
  sent: boolean;
}

export class PendingRequests<In> {
  readonly #pending = new Set<Pending<In>>();

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers a request and returns its reply promise plus the hooks the sender calls once the
   * message was written (`sent`) or dropped from the queue (`dropped`).
   */
  add(options: RequestOptions<In>): {
    promise: Promise<In>;
    sent: () => void;
    dropped: () => void;
  } {
    const timeoutMs = options.timeoutMs ?? 10_000;
    let entry!: Pending<In>;
    const promise = new Promise<In>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#settle(entry);
        reject(new MarqueeError('TIMEOUT', `No reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#settle(entry);
      };
      entry = {
        match: options.match,
        resolve: (message) => {
          done();
          resolve(message);
        },
        reject: (error) => {
          done();
          reject(error);
        },
        sent: false,
      };
    });
    this.#pending.add(entry);
    return {
      promise,
      sent: () => {
        entry.sent = true;
      },
      dropped: () =>
        entry.reject(
          new MarqueeError('CONNECTION_CLOSED', 'The request was dropped before it was sent'),
        ),
    };
  }

  /** Offers an incoming message to every request; each takes the first message it matches. */
  offer(message: In): void {
    for (const entry of [...this.#pending]) {
      let matched = false;
      try {
        matched = entry.match(message);
      } catch {
        // A throwing matcher means "not mine"; it must not break delivery to the others.
      }
      if (matched) entry.resolve(message);
    }
  }

  /** Fails the requests that were sent (all of them when `all`) with `error`. */
  rejectSent(error: MarqueeError, all = false): void {
    for (const entry of [...this.#pending]) if (all || entry.sent) entry.reject(error);
  }

  #settle(entry: Pending<In>): void {
    this.#pending.delete(entry);
  }
}
