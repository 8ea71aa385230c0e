import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ClientCloseCodes } from '../../src/transport/close-codes';
import { WAIT, openSocket, recordEvents, sleep, startServer } from './helpers';

const anything = z.unknown();

describe('token provider', () => {
  it('is called on every (re)connect and the fresh token reaches the server', async () => {
    const server = await startServer();
    let issued = 0;
    const token = vi.fn(async () => {
      await Promise.resolve();
      return `t${++issued}`;
    });
    openSocket({ url: `${server.url}/ws?sn_number=SN1`, incoming: anything, token });
    await vi.waitFor(() => expect(server.connections).toHaveLength(1), WAIT);

    server.last().terminate();
    await vi.waitFor(() => expect(server.connections).toHaveLength(2), WAIT);
    server.last().terminate();
    await vi.waitFor(() => expect(server.connections).toHaveLength(3), WAIT);

    expect(token).toHaveBeenCalledTimes(3);
    expect(server.urls).toEqual([
      '/ws?sn_number=SN1&token=t1',
      '/ws?sn_number=SN1&token=t2',
      '/ws?sn_number=SN1&token=t3',
    ]);
  });

  it('hands the token to a URL builder and honours tokenParam', async () => {
    const server = await startServer();
    openSocket({ url: server.url, incoming: anything, token: () => 'abc', tokenParam: 'access' });
    const built = await startServer();
    openSocket({
      url: (token) => `${built.url}/custom/${token ?? 'none'}`,
      incoming: anything,
      token: () => undefined,
    });
    await vi.waitFor(() => expect(server.urls).toEqual(['/?access=abc']), WAIT);
    await vi.waitFor(() => expect(built.urls).toEqual(['/custom/none']), WAIT);
  });

  it('retries with backoff when the token provider throws', async () => {
    const server = await startServer();
    let calls = 0;
    const socket = openSocket(
      {
        url: server.url,
        incoming: anything,
        token: () => {
          if (++calls < 3) throw new Error('token endpoint down');
          return 'ok';
        },
      },
      { connect: false },
    );
    const log = recordEvents(socket);
    socket.connect();
    await vi.waitFor(() => expect(server.urls).toEqual(['/?token=ok']), WAIT);
    expect(log.errors.map((e) => e.message)).toEqual([
      'token endpoint down',
      'token endpoint down',
    ]);
    expect(log.closes.map((c) => c.code)).toEqual([
      ClientCloseCodes.CONNECT_FAILED,
      ClientCloseCodes.CONNECT_FAILED,
    ]);
  });
});

describe('online / offline', () => {
  function network(initiallyOnline: boolean) {
    const target = new EventTarget();
    let online = initiallyOnline;
    return {
      options: { target, isOnline: () => online },
      set(next: boolean) {
        online = next;
        target.dispatchEvent(new Event(next ? 'online' : 'offline'));
      },
    };
  }

  it('waits while offline and reconnects at once when back online', async () => {
    const server = await startServer();
    const net = network(true);
    const socket = openSocket(
      {
        url: server.url,
        incoming: anything,
        network: net.options,
        // A long backoff: the reconnect below can only come from the `online` event.
        backoff: { initialMs: 60_000, maxMs: 60_000 },
      },
      { connect: false },
    );
    const log = recordEvents(socket);
    socket.connect();
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);

    socket.once('reconnecting', () => net.set(false));
    server.last().terminate();
    await vi.waitFor(() => expect(socket.state).toBe('offline'), WAIT);
    await sleep(100);
    expect(server.connections).toHaveLength(1);

    net.set(true);
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);
    expect(server.connections).toHaveLength(2);
    expect(log.states).toEqual([
      'connecting',
      'open',
      'reconnecting',
      'offline',
      'connecting',
      'open',
    ]);
  });

  it('does not try while starting offline, and goes offline instead of retrying', async () => {
    const server = await startServer();
    const net = network(false);
    const socket = openSocket({ url: server.url, incoming: anything, network: net.options });
    expect(socket.state).toBe('offline');
    await sleep(50);
    expect(server.connections).toHaveLength(0);

    net.set(true);
    await vi.waitFor(() => expect(socket.state).toBe('open'), WAIT);

    // Offline while connected: the socket is kept (LAN servers stay reachable) ...
    net.set(false);
    expect(socket.state).toBe('open');
    // ... but once it drops, no retries until `online`.
    server.last().terminate();
    await vi.waitFor(() => expect(socket.state).toBe('offline'), WAIT);
    await sleep(50);
    expect(server.connections).toHaveLength(1);
  });

  it('stops listening after close()', () => {
    const net = network(true);
    const socket = openSocket({
      url: 'ws://127.0.0.1:1',
      incoming: anything,
      network: net.options,
    });
    socket.close();
    net.set(false);
    net.set(true);
    expect(socket.state).toBe('closed');
  });
});
