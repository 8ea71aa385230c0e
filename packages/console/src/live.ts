/**
 * Live data for the views. The signage surface has no admin socket (its one channel is the
 * devices'), so the console reads the SDK's list calls again every few seconds while the page is
 * visible, and at once when it becomes visible again or after the view changes something. A
 * hidden tab asks for nothing; one request per view is in flight at most.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api';
import { useSession } from './session';

export interface Live<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  /** Reads again now (after a change the view made). */
  readonly reload: () => Promise<void>;
}

/** The default period between reads, in milliseconds. */
export const LIVE_INTERVAL_MS = 2000;

export function useLive<T>(read: () => Promise<T>, intervalMs = LIVE_INTERVAL_MS): Live<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const session = useSession();
  const readRef = useRef(read);
  readRef.current = read;
  const inFlight = useRef<Promise<void> | undefined>(undefined);

  const reload = useCallback((): Promise<void> => {
    if (inFlight.current) return inFlight.current;
    const run = (async () => {
      try {
        setData(await readRef.current());
        setError(undefined);
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
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      if (document.visibilityState === 'visible') await reload();
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void reload();
    };
    void tick();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [reload, intervalMs]);

  return { data, error, reload };
}
