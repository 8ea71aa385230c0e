/**
 * Live data for the views, without a polling loop. A view's data is read when it opens, when
 * the view changed something (`reload`), when the page becomes visible again, and whenever the
 * fleet's push channel (`feed.ts`) brings a notice the view says makes it stale (`stale`); every
 * (re)connect of the channel reads it again too, since notices missed meanwhile are not replayed.
 * Notices arriving together cause one read; a notice during a read causes one more after it.
 *
 * Only while the channel is down (it failed, or is reconnecting) does a view that follows it read
 * again every FALLBACK_INTERVAL_MS; a hidden tab asks for nothing.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api';
import { useFeed, type FeedEvent } from './feed';
import { useSession } from './session';

export interface Live<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  /** Reads again now (after a change the view made). */
  readonly reload: () => Promise<void>;
}

export interface LiveOptions {
  /**
   * Which fleet notices make this data stale. Without it the data follows no notice (media,
   * playlists, users: they change through this console) and is never polled.
   */
  readonly stale?: (event: FeedEvent) => boolean;
}

/** The slow poll of a view that follows the feed, while the feed is down, in milliseconds. */
export const FALLBACK_INTERVAL_MS = 10_000;
/** Notices within this many milliseconds of the first cause one read. */
const COALESCE_MS = 100;

export function useLive<T>(read: () => Promise<T>, options: LiveOptions = {}): Live<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const session = useSession();
  const feed = useFeed();
  const readRef = useRef(read);
  readRef.current = read;
  const staleRef = useRef(options.stale);
  staleRef.current = options.stale;
  const follows = options.stale !== undefined;
  const inFlight = useRef<Promise<void> | undefined>(undefined);
  const again = useRef(false);

  const reload = useCallback((): Promise<void> => {
    if (inFlight.current) {
      again.current = true;
      return inFlight.current;
    }
    const run = (async () => {
      try {
        do {
          again.current = false;
          setData(await readRef.current());
          setError(undefined);
        } while (again.current);
      } catch (failure) {
        if (session.lost(failure)) return;
        setError(describeError(failure));
      } finally {
        inFlight.current = undefined;
      }
    })();
    inFlight.current = run;
    return run;
  }, [session]);

  useEffect(() => {
    void reload();
    const onVisible = () => {
      if (document.visibilityState === 'visible') void reload();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [reload]);

  useEffect(() => {
    if (!follows || feed === undefined) return;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const off = feed.subscribe((signal) => {
      if (signal.type !== 'resync' && staleRef.current?.(signal) !== true) return;
      if (pending !== undefined) return;
      pending = setTimeout(() => {
        pending = undefined;
        void reload();
      }, COALESCE_MS);
    });
    return () => {
      off();
      clearTimeout(pending);
    };
  }, [feed, follows, reload]);

  // The fallback: a slow poll, only while the feed is not live (or there is none).
  const [feedLive, setFeedLive] = useState(feed?.live ?? false);
  useEffect(() => {
    if (feed === undefined) return;
    setFeedLive(feed.live);
    return feed.onLive(setFeedLive);
  }, [feed]);
  useEffect(() => {
    if (!follows || feedLive) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, FALLBACK_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [follows, feedLive, reload]);

  return { data, error, reload };
}
