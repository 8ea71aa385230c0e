/**
 * The server listens with a backlog sized for a fleet reconnecting at once (see LISTEN_BACKLOG in
 * app.ts): with Node's default of 511 the storm benchmark's 10,000 devices took 115 s to come
 * back after a restart, most of it TCP retransmission backoff after dropped SYNs.
 */
import { Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';

let t: TestServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await t?.close();
  t = undefined;
});

describe('listen()', () => {
  it('asks the kernel for a backlog of 4096 pending connections', async () => {
    const listen = vi.spyOn(Server.prototype, 'listen');
    t = await startTestServer();
    const backlogs = listen.mock.calls.map((args) => (args[0] as { backlog?: number }).backlog);
    expect(backlogs).toContain(4096);
  });
});
