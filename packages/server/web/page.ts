/** What every Marquee page shares: element lookup and the connection indicator. */
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
