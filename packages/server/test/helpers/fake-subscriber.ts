/**
 * A hub subscriber without a socket: it records what it was handed (and the latest-wins key, if
 * any), so fan-out tests can check serialisation and buffer sharing exactly.
 */
import type { HubSubscriber } from '../../src/core/ws';

export interface FakeSubscriber extends HubSubscriber {
  readonly got: Array<string | Buffer>;
  readonly keys: Array<string | undefined>;
  close(): void;
}

export function fakeSubscriber(): FakeSubscriber {
  const closeHandlers: Array<() => void> = [];
  let closed = false;
  const got: Array<string | Buffer> = [];
  const keys: Array<string | undefined> = [];
  return {
    got,
    keys,
    get isClosed() {
      return closed;
    },
    send(data) {
      got.push(data);
      keys.push(undefined);
      return true;
    },
    sendLatest(key, data) {
      got.push(data);
      keys.push(key);
      return true;
    },
    onClose(handler) {
      closeHandlers.push(() => handler({ code: 1000, reason: '' }));
      return () => undefined;
    },
    close() {
      closed = true;
      for (const handler of closeHandlers) handler();
    },
  };
}
