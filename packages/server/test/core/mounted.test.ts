/**
 * Every route and channel in the SDK's tables is served: each one is called on a real server
 * and must be answered by its own handler (whatever the status: 401 without credentials, 400 for
 * the dummy inputs ...), never by the not-found handler. A route or channel that is not served yet
 * carries `planned: true` in its table and is skipped here, as it is in the generated docs.
 */
import { protocol } from '@marquee/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const served = protocol.surfaces.map((surface) => protocol.servedPart(surface));
const routes = served.flatMap((surface) => surface.routes);
const channels = served.flatMap((surface) => surface.channels);

/** The path with every `{param}` filled with a harmless value. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '1');

/** The HTTP status that answered an upgrade to `path` (101 when it opened). */
function upgradeStatus(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${t.wsUrl}${path}`);
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

describe('the route tables are mounted', () => {
  it('finds the served routes and channels in the tables', () => {
    expect(routes.length).toBeGreaterThan(50);
    expect(channels.length).toBeGreaterThanOrEqual(4);
  });

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s is answered by its handler',
    async (_name, route) => {
      const res = await fetch(`${t.url}${concrete(route.path)}`, { method: route.method });
      const body = await res.text();
      expect(body, `${route.id} answered ${res.status}`).not.toContain('No route for');
    },
  );

  it.each(channels.map((channel) => [channel.path, channel] as const))(
    'channel %s is answered by its handler',
    async (_name, channel) => {
      const { status, body } = await upgradeStatus(channel.path);
      expect(body, `${channel.id} answered ${status}`).not.toContain('No WebSocket channel');
    },
  );

  it('a path no table declares is answered by the not-found handler (the check can fail)', async () => {
    const res = await fetch(`${t.url}/api/v1/admin/cloud/nothing-here/`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('No route for');
    const { status, body } = await upgradeStatus('/ws/nothing-here');
    expect(status).toBe(404);
    expect(body).toContain('No WebSocket channel');
  });
});
