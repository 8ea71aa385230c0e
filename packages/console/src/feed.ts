/**
 * The fleet's push channel for the views: one SignageEventsClient per signed-in operator or
 * admin (`WS /ws/cloud/admin/`, the session cookie is its credential), shared through context.
 * Views say which notices make their data stale (`useLive`'s `stale`); the feed says whether it
 * is live, so a view falls back to a slow poll only while the socket is down.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { createSignageEventsClient, protocol, type SignageEventsClient } from '@marquee/sdk';

/** A notice from the server (every message but `hello`). */
export type FeedEvent = Exclude<protocol.signage.AdminServerMessage, { type: 'hello' }>;
/** A notice, or `resync`: the socket (re)opened and whatever it missed must be read again. */
export type FeedSignal = FeedEvent | { readonly type: 'resync' };

export class Feed {
  readonly #client: SignageEventsClient;
  readonly #listeners = new Set<(signal: FeedSignal) => void>();
  readonly #liveListeners = new Set<(live: boolean) => void>();
  #live = false;

  /** `onRevoked` runs when the server closes the socket because its credentials ended. */
  constructor(baseUrl: string, onRevoked: () => void) {
    this.#client = createSignageEventsClient({ baseUrl });
    this.#client.socket.on('close', (info) => {
      if (info.code === protocol.CloseCodes.UNAUTHORIZED) onRevoked();
    });
    this.#client.on('resync', () => {
      this.#setLive(true);
      this.#notify({ type: 'resync' });
    });
    this.#client.on('device', (event) => this.#notify(event));
    this.#client.on('pairing', (event) => this.#notify(event));
    this.#client.on('command', (event) => this.#notify(event));
    this.#client.on('commands_expired', (event) => this.#notify(event));
    this.#client.on('state', ({ state }) => {
      if (state !== 'open') this.#setLive(false);
    });
  }

  /** The socket is open and subscribed. */
  get live(): boolean {
    return this.#live;
  }

  start(): this {
    this.#client.connect();
    return this;
  }

  close(): void {
    this.#client.close();
  }

  /** Runs `listener` with every notice and resync; returns its removal. */
  subscribe(listener: (signal: FeedSignal) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Runs `listener` whenever the feed goes live or stops being live; returns its removal. */
  onLive(listener: (live: boolean) => void): () => void {
    this.#liveListeners.add(listener);
    return () => {
      this.#liveListeners.delete(listener);
    };
  }

  #notify(signal: FeedSignal): void {
    for (const listener of this.#listeners) listener(signal);
  }

  #setLive(live: boolean): void {
    if (live === this.#live) return;
    this.#live = live;
    for (const listener of this.#liveListeners) listener(live);
  }
}

export const FeedContext = createContext<Feed | undefined>(undefined);

/** The signed-in console's feed; undefined for a role that may not open it (viewers). */
export function useFeed(): Feed | undefined {
  return useContext(FeedContext);
}
