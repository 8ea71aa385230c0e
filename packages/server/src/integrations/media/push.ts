/**
 * Push from the media servers, beside their pollers (one connection per upstream, shared by every
 * subscriber, open only while somebody holds it):
 *
 * - Plex: `ws(s)://…/:/websockets/notifications` with `X-Plex-Token`. Frames are
 *   `{NotificationContainer: {type, size, PlaySessionStateNotification: [{sessionKey,
 *   clientIdentifier, ratingKey, key, viewOffset, state}]}}` (Plex Media Server API, "Events").
 *   A notification says that a session changed, not the whole session, so it triggers a poll of
 *   `/status/sessions` (and the rest of the summary): a new session, a state change, `stopped`, or
 *   a jump of more than 5 s from where the position should be (a seek). `buffering` and the
 *   periodic progress reports that match the clock are ignored: they would cost a poll each.
 * - Jellyfin: `ws(s)://…/socket?api_key=…&deviceId=…`; after each connection Marquee sends
 *   `{"MessageType":"SessionsStart","Data":"0,1500"}` and Jellyfin answers `Sessions` messages
 *   whose `Data` is the `/Sessions` list: taken as is, without a call. `ForceKeepAlive` (its
 *   `Data` the timeout in seconds) is answered with a `KeepAlive` every half timeout.
 *
 * Each (re)connection polls once, for what changed while disconnected. While the socket is
 * refused or down the poller's interval is the fallback; the socket reconnects with backoff
 * (push-socket.ts).
 */
import { z } from 'zod';
import { monotonicNow } from '../../core/clock';
import {
  openPushSocket,
  socketUrl,
  type PushSocket,
  type PushSocketState,
  type UpstreamPoller,
} from '../upstream';
import { JellyfinSession } from './jellyfin';
import { numberish } from './shapes';

const idish = z.union([z.string(), z.number()]).transform(String);

/** One entry of Plex's `PlaySessionStateNotification`. */
export const PlexPlayNotification = z.object({
  sessionKey: idish,
  clientIdentifier: z.string().optional(),
  ratingKey: idish.optional(),
  key: z.string().optional(),
  viewOffset: numberish.optional(),
  state: z.string(),
});
export type PlexPlayNotification = z.infer<typeof PlexPlayNotification>;

/** A frame of Plex's notification socket (other notification types are ignored). */
export const PlexNotificationFrame = z.object({
  NotificationContainer: z.object({
    type: z.string(),
    size: numberish.optional(),
    PlaySessionStateNotification: z.array(PlexPlayNotification).optional(),
  }),
});

/** A frame of Jellyfin's socket: `{MessageType, Data, MessageId}`. */
export const JellyfinSocketFrame = z.object({
  MessageType: z.string(),
  Data: z.unknown().optional(),
  MessageId: z.string().nullish(),
});

/** A position more than this far from where the clock says it should be is a seek. */
export const SEEK_THRESHOLD_MS = 5000;
/** Sessions the Plex filter remembers (a bound against a misbehaving server). */
const MAX_REMEMBERED = 1000;

interface Seen {
  readonly state: string;
  readonly viewOffset: number | undefined;
  readonly at: number;
}

/**
 * Decides which Plex play notifications are worth a poll (see the file comment). Time is the
 * monotonic clock: only the gaps between notifications count.
 */
export class PlexNotificationFilter {
  readonly #seen = new Map<string, Seen>();
  readonly #monotonic: () => number;

  constructor(monotonic: () => number = monotonicNow) {
    this.#monotonic = monotonic;
  }

  /** True when `notification` changes what Now Playing shows. */
  changes(notification: PlexPlayNotification): boolean {
    const { sessionKey, state, viewOffset } = notification;
    if (state === 'buffering') return false;
    if (state === 'stopped') {
      this.#seen.delete(sessionKey);
      return true;
    }
    const at = this.#monotonic();
    const before = this.#seen.get(sessionKey);
    this.#seen.delete(sessionKey);
    if (this.#seen.size >= MAX_REMEMBERED) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.set(sessionKey, { state, viewOffset, at });
    if (before === undefined || before.state !== state) return true;
    if (viewOffset === undefined || before.viewOffset === undefined) return false;
    const expected = before.viewOffset + (state === 'playing' ? at - before.at : 0);
    return Math.abs(viewOffset - expected) > SEEK_THRESHOLD_MS;
  }

  /** Forgets everything (a reconnection starts over with a poll). */
  clear(): void {
    this.#seen.clear();
  }
}

/** A push connection shared by its holders: opened by the first, closed after the last. */
export interface UpstreamPush {
  /** Holds the connection open; returns the release. */
  hold(): () => void;
  /** The connection's state, undefined while nobody holds it. */
  state(): PushSocketState | undefined;
  /** Closes the connection whoever holds it (shutdown); a later `hold` opens a new one. */
  close(): void;
  /**
   * Several instances: another instance holds the upstream's socket, so this one keeps it closed
   * whoever holds it, until `resume` (which opens it when somebody holds it).
   */
  pause(): void;
  resume(): void;
}

export function sharedPush(open: () => PushSocket): UpstreamPush {
  let holders = 0;
  let paused = false;
  let socket: PushSocket | undefined;
  return {
    hold() {
      holders += 1;
      if (!paused) socket ??= open();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holders -= 1;
        if (holders > 0) return;
        socket?.stop();
        socket = undefined;
      };
    },
    state: () => socket?.state(),
    close() {
      holders = 0;
      socket?.stop();
      socket = undefined;
    },
    pause() {
      paused = true;
      socket?.stop();
      socket = undefined;
    },
    resume() {
      paused = false;
      if (holders > 0) socket ??= open();
    },
  };
}

export interface PushOptions {
  readonly baseUrl: string;
  /** Durations between notifications (core/clock.ts). @default performance.now */
  readonly monotonic?: () => number;
  readonly onError?: (reason: string) => void;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

const backoff = (options: PushOptions) => ({
  ...(options.minBackoffMs === undefined ? {} : { minBackoffMs: options.minBackoffMs }),
  ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
  ...(options.onError === undefined ? {} : { onError: options.onError }),
});

const quietly = (poll: Promise<unknown>) => void poll.catch(() => undefined);

/** Plex's notification socket, polling `poller` when a play notification changes something. */
export function plexPush(
  options: PushOptions & { readonly token: string },
  poller: Pick<UpstreamPoller<unknown>, 'refreshAfterInFlight'>,
): UpstreamPush {
  return sharedPush(() => {
    const filter = new PlexNotificationFilter(options.monotonic);
    return openPushSocket({
      name: 'plex',
      url: socketUrl(options.baseUrl, '/:/websockets/notifications'),
      headers: { 'x-plex-token': options.token },
      ...backoff(options),
      onOpen: () => {
        filter.clear();
        quietly(poller.refreshAfterInFlight());
      },
      onMessage: (text) => {
        const frame = PlexNotificationFrame.safeParse(JSON.parse(text));
        if (!frame.success || frame.data.NotificationContainer.type !== 'playing') return;
        const notifications = frame.data.NotificationContainer.PlaySessionStateNotification ?? [];
        // Every notification goes through the filter, so each one's position is remembered.
        const changed = notifications.map((n) => filter.changes(n)).some(Boolean);
        if (changed) quietly(poller.refreshAfterInFlight());
      },
    });
  });
}

/** Jellyfin's socket: its `Sessions` messages become the poller's sessions without a call. */
export function jellyfinPush<T extends { readonly sessions: readonly JellyfinSession[] }>(
  options: PushOptions & { readonly apiKey: string; readonly deviceId: string },
  poller: Pick<UpstreamPoller<T>, 'refreshAfterInFlight' | 'offer' | 'snapshot'>,
): UpstreamPush {
  return sharedPush(() => {
    let keepAlive: ReturnType<typeof setInterval> | undefined;
    const socket = openPushSocket({
      name: 'jellyfin',
      url: socketUrl(options.baseUrl, '/socket', {
        api_key: options.apiKey,
        deviceId: options.deviceId,
      }),
      ...backoff(options),
      onOpen: (send) => {
        send(JSON.stringify({ MessageType: 'SessionsStart', Data: '0,1500' }));
        quietly(poller.refreshAfterInFlight());
      },
      onMessage: (text, send) => {
        const frame = JellyfinSocketFrame.safeParse(JSON.parse(text));
        if (!frame.success) return;
        const { MessageType: type, Data: data } = frame.data;
        if (type === 'ForceKeepAlive') {
          const seconds = typeof data === 'number' && data > 0 ? data : 60;
          if (keepAlive !== undefined) clearInterval(keepAlive);
          keepAlive = setInterval(
            () => send(JSON.stringify({ MessageType: 'KeepAlive' })),
            (seconds * 1000) / 2,
          );
          keepAlive.unref?.();
          return;
        }
        if (type !== 'Sessions') return;
        const sessions = z.array(JellyfinSession).safeParse(data);
        const current = poller.snapshot().value;
        // Without a first poll there is no server info to go with the sessions: poll instead.
        if (!sessions.success || current === undefined) {
          quietly(poller.refreshAfterInFlight());
          return;
        }
        poller.offer({ ...current, sessions: sessions.data });
      },
    });
    return {
      state: () => socket.state(),
      stop() {
        if (keepAlive !== undefined) clearInterval(keepAlive);
        socket.stop();
      },
    };
  });
}
