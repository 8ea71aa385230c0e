/**
 * The SDK's media-stack client against the real server (port 0, a fresh SQLite file) fed by the
 * simulators' fake media stack on real sockets: every REST method with its envelope and ages,
 * the seed's error codes as MarqueeErrors, `stats_update` at once on connect, a service going
 * down and back as `service_status_change` and `new_notification` events, and a display token
 * scoped `media-stack` that reads but cannot acknowledge. Also through the package's
 * `@marquee/sdk/media-stack` entry.
 */
import { MarqueeError, createMediaStackClient, type protocol } from '@marquee/sdk';
import * as entry from '@marquee/sdk/media-stack';
import { startFakeMediaStack, type FakeMediaStack } from '@marquee/simulators';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { mediaStackModule } from '../../src/surfaces/media-stack/module';
import { call, startTestServer, type TestServer } from '../helpers/server';

let fakes: FakeMediaStack;
let t: TestServer;
let admin: string;
const service = () => t.server.surface(mediaStackModule).service;

beforeAll(async () => {
  fakes = await startFakeMediaStack();
  t = await startTestServer({ ...fakes.config, upstreamTimeoutSeconds: 1 });
  admin = await t.login();
  await service().checkNow();
});
afterAll(async () => {
  await t?.close();
  await fakes?.close();
});

describe('MediaStackClient', () => {
  it('reads stats, status, one service and notifications in the seed envelope, typed', async () => {
    const client = createMediaStackClient({ baseUrl: t.url, token: () => admin });
    const stats = await client.stats();
    expectTypeOf(stats.data).toEqualTypeOf<protocol.mediaStack.DashboardStats>();
    expect(stats.success).toBe(true);
    expect(stats.data.overview.totalRequests).toBe(1847);
    expect(stats.data.downloadActivity.activeDownloads[0]?.title).toBe('The Batman (2022)');
    expect(stats.metadata.cacheAge).toBeGreaterThanOrEqual(0);
    expect(stats.metadata.requestId).toMatch(/^req-/);

    const status = await client.status();
    expect(status.data.services.plex).toMatchObject({ status: 'up', url: fakes.plex.url });
    const plex = await client.service('plex');
    expect(plex.data.currentActivity?.sessions[0]?.user).toBe('john_doe');

    const list = await client.notifications({ limit: 5, type: 'download' });
    expect(list.data.notifications.length).toBeLessThanOrEqual(5);
    expect(list.data.notifications.every((n) => n.type.startsWith('download_'))).toBe(true);
    expect(list.data.summary.total).toBeGreaterThanOrEqual(list.data.notifications.length);
  });

  it('rejects with the seed codes: INVALID_SERVICE, BAD_REQUEST, UNAUTHORIZED, NOT_FOUND', async () => {
    const client = createMediaStackClient({ baseUrl: t.url, token: () => admin });
    const unknown = await client.service('no-such-service').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(MarqueeError);
    expect(unknown).toMatchObject({ code: 'INVALID_SERVICE', status: 404 });
    await expect(client.service('x'.repeat(101))).rejects.toMatchObject({ status: 400 });
    await expect(client.acknowledge('no-such-notification')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
    const stranger = createMediaStackClient({ baseUrl: t.url });
    await expect(stranger.stats()).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('emits stats_update on connect, then a service going down and back with its notifications', async () => {
    const client = createMediaStackClient({
      baseUrl: t.url,
      token: () => admin,
      network: false,
    });
    const changes: protocol.mediaStack.ServiceStatusChangeMessage[] = [];
    const notes: protocol.mediaStack.Notification[] = [];
    client.on('service_status_change', (change) => changes.push(change));
    client.on('new_notification', (n) => notes.push(n));
    const firstStats = new Promise<protocol.mediaStack.DashboardStats>((resolve) =>
      client.once('stats_update', resolve),
    );
    client.connect();
    expect((await firstStats).overview.totalRequests).toBe(1847);
    expect(client.latest?.overview.totalRequests).toBe(1847);
    expect(client.state).toBe('open');

    fakes.sonarr.mode = 'down';
    try {
      await service().checkNow();
      await vi.waitFor(() =>
        expect(changes).toContainEqual(
          expect.objectContaining({ service: 'sonarr', status: 'down', previous: 'up' }),
        ),
      );
      await vi.waitFor(() =>
        expect(notes).toContainEqual(expect.objectContaining({ type: 'service_down' })),
      );
    } finally {
      fakes.sonarr.mode = 'ok';
    }
    await service().checkNow();
    await vi.waitFor(() =>
      expect(changes.at(-1)).toMatchObject({ service: 'sonarr', status: 'up' }),
    );
    await vi.waitFor(() => expect(notes.map((n) => n.type)).toContain('service_restored'));

    // An operator (the admin) acknowledges the one that came over the socket.
    const down = notes.find((n) => n.type === 'service_down');
    const acked = await client.acknowledge(down?.id ?? '');
    expect(acked.data).toMatchObject({ id: down?.id, read: true });
    const unread = await client.notifications({ unread: true });
    expect(unread.data.notifications.map((n) => n.id)).not.toContain(down?.id);
    client.close();
    expect(client.state).toBe('closed');
  });

  it('with a display token scoped media-stack: reads and listens, cannot acknowledge', async () => {
    const created = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'media wall', scopes: ['media-stack'] },
    });
    const display = (created.body as { token: string }).token;
    // Through the package's own entry, as a panel app would import it.
    const client = entry.createMediaStackClient({
      baseUrl: t.url,
      token: () => display,
      network: false,
    });
    const first = new Promise<entry.DashboardStats>((resolve) =>
      client.once('stats_update', resolve),
    );
    client.connect();
    expect((await first).mediaLibrary.totalMovies).toBe(2156);
    expect((await client.status()).data.services.overseerr).toMatchObject({ status: 'up' });
    const list = await client.notifications();
    const id = list.data.notifications[0]?.id;
    expect(id).toBeDefined();
    await expect(client.acknowledge(id ?? '')).rejects.toMatchObject({ status: 403 });
    client.close();
  });
});
