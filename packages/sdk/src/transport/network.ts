/**
 * Browser online/offline awareness. While the browser says it is offline, reconnect attempts
 * are pointless (they fail at once and burn the backoff), so the socket waits for `online` and
 * then reconnects immediately. Node has neither the events nor `navigator.onLine`, so there the
 * socket simply keeps retrying.
 */

/** Anything that emits `online` / `offline`: `window` in a browser, an `EventTarget` in tests. */
export interface OnlineEventTarget {
  addEventListener(type: 'online' | 'offline', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline', listener: () => void): void;
}

/** Where connectivity comes from; inject one in tests, or pass `network: false` to ignore it. */
export interface NetworkOptions {
  readonly target: OnlineEventTarget;
  /** The current state, read when the socket starts (e.g. `() => navigator.onLine`). */
  readonly isOnline: () => boolean;
}

/** `window` + `navigator.onLine` when both exist (browsers, web workers), otherwise undefined. */
export function detectNetwork(): NetworkOptions | undefined {
  const scope: unknown = globalThis;
  if (!hasListenerApi(scope)) return undefined;
  const navigator: unknown = Reflect.get(scope, 'navigator');
  if (typeof navigator !== 'object' || navigator === null) return undefined;
  if (typeof Reflect.get(navigator, 'onLine') !== 'boolean') return undefined;
  return { target: scope, isOnline: () => Reflect.get(navigator, 'onLine') !== false };
}

function hasListenerApi(scope: unknown): scope is OnlineEventTarget {
  return (
    typeof scope === 'object' &&
    scope !== null &&
    typeof Reflect.get(scope, 'addEventListener') === 'function' &&
    typeof Reflect.get(scope, 'removeEventListener') === 'function'
  );
}

/** Subscribes to both events; returns the unsubscribe function. */
export function watchNetwork(
  network: NetworkOptions,
  onChange: (online: boolean) => void,
): () => void {
  const online = () => onChange(true);
  const offline = () => onChange(false);
  network.target.addEventListener('online', online);
  network.target.addEventListener('offline', offline);
  return () => {
    network.target.removeEventListener('online', online);
    network.target.removeEventListener('offline', offline);
  };
}
