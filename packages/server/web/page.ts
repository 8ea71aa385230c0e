/** What every Marquee page shares: element lookup, the display token and the connection indicator. */
import type { SocketState } from '@marquee/sdk';

/** The element matching `selector`; a missing one is a bug in the page, so it throws. */
export const $ = <T extends Element>(selector: string, root: ParentNode = document): T => {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`Missing element ${selector}`);
  return el;
};

const STATE_LABELS: Record<SocketState, string> = {
  idle: 'Starting…',
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline — waiting for the network',
  closed: 'Disconnected',
};

/**
 * Shows the socket's state on the page's `#connection` indicator (its `data-state` and label);
 * `labels` overrides the wording of some states.
 */
export function connectionIndicator(
  labels: Partial<Record<SocketState, string>> = {},
): (state: SocketState) => void {
  const connection = $<HTMLElement>('#connection');
  const label = $<HTMLElement>('.label', connection);
  return (state) => {
    connection.dataset.state = state;
    label.textContent = labels[state] ?? STATE_LABELS[state];
  };
}

/**
 * The display token the page was opened with, from the URL fragment (`/gpu#token=…`): a fragment
 * never leaves the browser, so the token reaches no request line, server log or Referer. A legacy
 * `?token=` (kiosk bookmarks from before) still works, but is moved into the fragment at once with
 * `history.replaceState`, so the query form is not kept in history and a reload does not send it
 * to the server again. A token in both places: the fragment's wins.
 */
export function displayToken(
  loc: Location = location,
  hist: History = history,
): string | undefined {
  const fragment = new URLSearchParams(loc.hash.slice(1));
  const query = new URLSearchParams(loc.search);
  const legacy = query.get('token');
  if (legacy !== null) {
    query.delete('token');
    if (!fragment.has('token')) fragment.set('token', legacy);
    const search = query.toString();
    hist.replaceState(
      hist.state,
      '',
      `${loc.pathname}${search === '' ? '' : `?${search}`}#${fragment.toString()}`,
    );
  }
  const token = fragment.get('token');
  return token === null || token === '' ? undefined : token;
}
