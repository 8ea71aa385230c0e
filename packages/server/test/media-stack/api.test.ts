/**
 * Seed 001 on a real server (port 0, a fresh SQLite file) fed by fake upstreams on real sockets:
 * the envelope and metadata, the cache headers, every service name on `status/{service}`,
 * unconfigured services reported down and not counted, notifications from real events (a
 * service down and back, a download finished, a request completed), the filters, acknowledging,
 * the seed's error codes and its per-user rate limits.
 */
import { protocol } from '@marquee/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mediaStackModule } from '../../src/surfaces/media-stack/module';
import { mediaStackStore } from '../../src/surfaces/media-stack/store';
import { startFakeMediaStack, type FakeMediaStack } from '@marquee/simulators';
import { call, startTestServer, type TestServer } from '../helpers/server';

const BASE = '/api/v1/dashboard';

type Pushed = protocol.mediaStack.DashboardServerMessage;

/** A dashboard socket collecting every message; `next` waits for one that `test` accepts. */
async function dashboardSocket(t: TestServer, token: string) {
  const ws = new WebSocket(`${t.wsUrl}/ws/dashboard?token=${token}`);
  const messages: Pushed[] = [];
  const waiters: { test: (m: Pushed) => boolean; resolve: (m: Pushed) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const message = protocol.mediaStack.DashboardServerMessage.parse(
      JSON.parse(data.toString('utf8')),
    );
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (!waiter.test(message)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    next(test: (m: Pushed) => boolean): Promise<Pushed> {
      const seen = messages.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
  };
}

async function viewerToken(t: TestServer, admin: string, name: string): Promise<string> {
  const created = await call(`${t.url}/api/v1/admin/users/`, {
    token: admin,
    body: { username: name, password: 'viewer-password-123', role: 'viewer' },
  });
  expect(created.status).toBe(201);
  const res = await call(`${t.url}/api/v1/auth/token/`, {
    body: { username: name, password: 'viewer-password-123' },
  });
  return (res.body as { access: string }).access;
}

/** A fresh fake stack and a server fed by it, health-checked once; `close` stops both. */
async function fedServer() {
  const fakes = await startFakeMediaStack();
  const t = await startTestServer({ ...fakes.config, upstreamTimeoutSeconds: 1 });
  const token = await t.login();
  const service = () => t.server.surface(mediaStackModule).service;
  await service().checkNow();
  return {
    fakes,
    t,
    token,
    service,
    async close() {
      await t.close();
      await fakes.close();
    },
  };
}

describe('seed 001 with no upstream configured', () => {
  let t: TestServer;
  let token: string;
  beforeAll(async () => {
    t = await startTestServer();
    token = await t.login();
  });
  afterAll(() => t.close());

  it('answers stats in the envelope, says what is missing, and caches for 5 minutes', async () => {
    const first = await call(`${t.url}${BASE}/stats`, { token });
    expect(first.status).toBe(200);
    const body = protocol.mediaStack.StatsResponse.parse(first.body);
    expect(body.metadata.requestId).toMatch(/^req-/);
    expect(body.metadata.cacheAge).toBe(0);
    expect(
      Date.parse(body.metadata.nextUpdate ?? '') - Date.parse(body.metadata.timestamp),
    ).toBeGreaterThan(299_000);
    expect(body.metadata.missing?.join('\n')).toContain(
      'requestStats and overview request counts (overseerr)',
    );
    expect(body.metadata.missing?.join('\n')).toContain('downloadActivity (qbittorrent)');
    expect(body.data.overview.totalRequests).toBe(0);
    expect(body.data.downloadActivity.activeDownloads).toEqual([]);
    expect(body.data.systemResources.cpu.cores).toBeGreaterThan(0);
    expect(first.headers.get('x-cache-status')).toBe('MISS');
    expect(first.headers.get('cache-control')).toMatch(/^private, max-age=(300|299)$/);
    expect(first.headers.get('x-response-time')).toMatch(/^\d+ms$/);
    const second = await call(`${t.url}${BASE}/stats`, { token });
    expect(second.headers.get('x-cache-status')).toBe('HIT');
    expect(second.headers.get('x-cache-age')).toMatch(/^\d+$/);
    expect((second.body as { data: unknown }).data).toEqual(body.data);
  });

  it('reports every seed service, unconfigured ones down with a reason and not counted', async () => {
    const res = await call(`${t.url}${BASE}/status`, { token });
    expect(res.status).toBe(200);
    const { data } = protocol.mediaStack.ServiceStatusResponse.parse(res.body);
    const plex = data.services.plex as protocol.mediaStack.ServiceInfo;
    expect(plex.status).toBe('down');
    expect(plex.alerts?.[0]?.message).toContain('MARQUEE_PLEX_URL');
    expect((data.services.redis as protocol.mediaStack.ServiceInfo).status).toBe('down');
    expect(data.services.database as protocol.mediaStack.ServiceInfo).toMatchObject({
      status: 'up',
      type: 'SQLite',
    });
    expect(data.services.downloadClients).toHaveProperty('qbittorrent.status', 'down');
    // Only the database (up) and the four system checks count: nothing is down among them.
    expect(data.overall.status).not.toBe('critical');
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=(60|59)$/);

    for (const name of ['plex', 'overseerr', 'database', 'redis', 'qbittorrent', 'sonarr']) {
      const one = await call(`${t.url}${BASE}/status/${name}`, { token });
      expect(one.status, name).toBe(200);
      expect(protocol.mediaStack.ServiceDetailResponse.parse(one.body).data.service).toBe(name);
    }
  });

  it('answers an unknown service 404 INVALID_SERVICE in the error envelope, with the headers', async () => {
    const res = await call(`${t.url}${BASE}/status/nope`, { token });
    expect(res.status).toBe(404);
    const body = protocol.mediaStack.MediaStackError.parse(res.body);
    expect(body.error.code).toBe('INVALID_SERVICE');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-cache-status')).toBe('BYPASS');
    expect(res.headers.get('x-response-time')).toMatch(/^\d+ms$/);
  });

  it('refuses an unknown type filter with 400 and a display token of another scope with INSUFFICIENT_PERMISSIONS', async () => {
    const bad = await call(`${t.url}${BASE}/notifications?type=weather`, { token });
    expect(bad.status).toBe(400);
    expect(protocol.mediaStack.MediaStackError.parse(bad.body).error.code).toBe('BAD_REQUEST');
    const gpuDisplay = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token,
      body: { name: 'gpu wall', scopes: ['gpu'] },
    });
    const other = (gpuDisplay.body as { token: string }).token;
    const refused = await call(`${t.url}${BASE}/stats`, { token: other });
    expect(refused.status).toBe(403);
    expect(protocol.mediaStack.MediaStackError.parse(refused.body).error.code).toBe(
      'INSUFFICIENT_PERMISSIONS',
    );
    const ownDisplay = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token,
      body: { name: 'media wall', scopes: ['media-stack'] },
    });
    const own = (ownDisplay.body as { token: string }).token;
    expect((await call(`${t.url}${BASE}/status`, { token: own })).status).toBe(200);
  });

  it('limits stats to 60 requests a minute per user (429 with Retry-After), counted apart per user', async () => {
    const viewer = await viewerToken(t, token, 'rate-viewer');
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1)
      statuses.push((await call(`${t.url}${BASE}/stats`, { token: viewer })).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const last = await call(`${t.url}${BASE}/stats`, { token: viewer });
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(protocol.mediaStack.MediaStackError.parse(last.body).error.code).toBe('RATE_LIMITED');
    const other = await viewerToken(t, token, 'rate-viewer-2');
    expect((await call(`${t.url}${BASE}/stats`, { token: other })).status).toBe(200);
  });
});

describe('seed 001 fed by a fake media stack', () => {
  let fakes: FakeMediaStack;
  let t: TestServer;
  let token: string;
  const service = () => t.server.surface(mediaStackModule).service;

  let fed: Awaited<ReturnType<typeof fedServer>>;

  beforeAll(async () => {
    fed = await fedServer();
    ({ fakes, t, token } = fed);
  });
  afterEach(() => {
    for (const fake of [
      fakes.plex,
      fakes.overseerr,
      fakes.qbittorrent,
      fakes.sonarr,
      fakes.tautulli,
      fakes.radarr,
      fakes.prowlarr,
    ])
      fake.mode = 'ok';
  });
  afterAll(() => fed.close());

  it('reports each configured service up with its version, latency and figures', async () => {
    const res = await call(`${t.url}${BASE}/status`, { token });
    const { data } = protocol.mediaStack.ServiceStatusResponse.parse(res.body);
    expect(data.services.plex).toMatchObject({
      status: 'up',
      version: '1.32.7.7621-871adbd44',
      url: fakes.plex.url,
    });
    expect(data.services.plex).toHaveProperty('stats.sessions', 2);
    expect(data.services.plex).toHaveProperty('stats.bandwidth', 12_500_000);
    expect(data.services.overseerr).toHaveProperty('stats.pendingRequests', 12);
    expect(data.services.downloadClients).toHaveProperty('qbittorrent.version', '4.5.4');
    expect(data.services.downloadClients).toHaveProperty('qbittorrent.stats.activeTorrents', 1);
    expect(data.services.sonarr).toHaveProperty('stats.queued', 1);
    // Tautulli, Radarr and Prowlarr from the simulator's fakes, each read with its own key.
    expect(data.services.tautulli).toMatchObject({ status: 'up', url: fakes.tautulli.url });
    expect(data.services.tautulli).toHaveProperty('stats.bandwidth', 12_500_000);
    expect(data.services.radarr).toMatchObject({ status: 'up', version: '5.2.6.8376' });
    expect(data.services.radarr).toHaveProperty('stats.queued', 1);
    expect(data.services.radarr).toHaveProperty('stats.upcoming', 1);
    expect(data.services.radarr).toHaveProperty('stats.healthIssues', 0);
    expect(data.services.prowlarr).toMatchObject({ status: 'up', version: '1.11.4.4173' });
    expect(data.services.prowlarr).toHaveProperty('stats.enabledIndexers', 1);
    for (const fake of [fakes.tautulli, fakes.radarr, fakes.prowlarr]) {
      expect([...fake.hits.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }

    const plex = await call(`${t.url}${BASE}/status/plex`, { token });
    const detail = protocol.mediaStack.ServiceDetailResponse.parse(plex.body);
    expect(detail.data.configuration).toMatchObject({
      server_name: 'Basement Plex',
      platform: 'Linux',
    });
    expect(detail.data.currentActivity?.sessions[0]).toMatchObject({
      sessionKey: '12',
      title: 'Breaking Bad - Pilot',
      user: 'john_doe',
      state: 'playing',
      progress: 1245000,
      transcoding: true,
    });
    expect(detail.data.libraries?.map((l) => [l.title, l.count])).toEqual([
      ['Movies', 2156],
      ['TV Shows', 487],
    ]);
    expect(detail.data.performance?.requests.successful).toBeGreaterThan(0);
    expect(detail.metadata.missing?.[0]).toContain('size');
  });

  it('aggregates the statistics from the upstreams', async () => {
    const res = await call(`${t.url}${BASE}/stats`, { token });
    const { data, metadata } = protocol.mediaStack.StatsResponse.parse(res.body);
    expect(data.overview).toMatchObject({
      totalUsers: 45,
      activeUsers: 2,
      totalRequests: 1847,
      pendingRequests: 12,
      processingRequests: 3,
    });
    expect(data.mediaLibrary).toMatchObject({
      totalMovies: 2156,
      totalTvShows: 487,
      totalEpisodes: 15423,
    });
    expect(data.requestStats.byType).toEqual({ movies: 1234, tvShows: 613 });
    expect(data.requestStats.recentActivity[0]).toMatchObject({
      type: 'request_completed',
      title: 'The Matrix',
      user: 'john_doe',
    });
    expect(data.requestStats.topRequesters.map((r) => r.username).sort()).toEqual([
      'jane_smith',
      'john_doe',
    ]);
    expect(data.downloadActivity).toMatchObject({ active: 1, queued: 1, totalSpeed: '45.2 MB/s' });
    expect(data.downloadActivity.activeDownloads[0]).toMatchObject({
      id: 'aaa111',
      title: 'The Batman (2022)',
      progress: 67.5,
      speed: '25.6 MB/s',
      eta: '00:42:15',
      size: '12.4 GB',
    });
    expect(data.performance.responseTime.plex).toBeGreaterThanOrEqual(0);
    expect(metadata.missing?.join('\n')).not.toContain('(overseerr)');
  });

  it('sends stats_update at once on /ws/dashboard, then status changes and new notifications', async () => {
    const socket = await dashboardSocket(t, token);
    const first = await socket.next(() => true);
    expect(first.type).toBe('stats_update');
    if (first.type === 'stats_update') expect(first.data.overview.totalRequests).toBe(1847);
    fakes.sonarr.mode = 'down';
    await service().checkNow();
    const change = await socket.next(
      (m) => m.type === 'service_status_change' && m.service === 'sonarr',
    );
    expect(change).toMatchObject({ type: 'service_status_change', status: 'down', previous: 'up' });
    const notification = await socket.next((m) => m.type === 'new_notification');
    expect(notification).toMatchObject({ notification: { type: 'service_down', read: false } });
    fakes.sonarr.mode = 'ok';
    await service().checkNow();
    await socket.next((m) => m.type === 'service_status_change' && m.status !== 'down');
    socket.ws.close();
    const gpuDisplay = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token,
      body: { name: 'gpu only', scopes: ['gpu'] },
    });
    const refused = new WebSocket(
      `${t.wsUrl}/ws/dashboard?token=${(gpuDisplay.body as { token: string }).token}`,
    );
    const status = await new Promise<number>((resolve) => {
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      refused.once('open', () => resolve(101));
    });
    expect(status).toBe(403);
  });

  it('notifies when a service goes down and comes back, and when a download finishes', async () => {
    const seen: string[] = [];
    const off = service().onNotification((n) => seen.push(n.type));
    fakes.plex.mode = 'down';
    await service().checkNow();
    const down = await call(`${t.url}${BASE}/status/plex`, { token });
    expect(protocol.mediaStack.ServiceDetailResponse.parse(down.body).data.status).toBe('down');
    fakes.plex.mode = 'ok';
    const first = fakes.state.torrents[0];
    if (first) first.progress = 1;
    await service().checkNow();
    off();
    expect(seen).toEqual(
      expect.arrayContaining(['service_down', 'service_restored', 'download_completed']),
    );

    const list = await call(`${t.url}${BASE}/notifications?type=system`, { token });
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toBe('no-store');
    const { data } = protocol.mediaStack.NotificationListResponse.parse(list.body);
    // Newest first: plex's pair, after sonarr's from the socket test.
    expect(data.notifications.map((n) => n.type)).toEqual([
      'service_restored',
      'service_down',
      'service_restored',
      'service_down',
    ]);
    expect(data.notifications[1]).toMatchObject({
      title: 'plex is down',
      priority: 'high',
      read: false,
    });
    expect(data.summary.byType).toMatchObject({
      service_down: 2,
      service_restored: 2,
      download_completed: 1,
    });
    const downloads = await call(`${t.url}${BASE}/notifications?type=download`, { token });
    const done = protocol.mediaStack.NotificationListResponse.parse(downloads.body).data
      .notifications[0];
    expect(done).toMatchObject({
      type: 'download_completed',
      data: { mediaTitle: 'The Batman (2022)' },
    });
  });

  it('reports refused credentials and malformed answers as down with the reason', async () => {
    fakes.overseerr.mode = 'unauthorized';
    fakes.sonarr.mode = 'malformed';
    fakes.tautulli.mode = 'unauthorized';
    await service().checkNow();
    const res = await call(`${t.url}${BASE}/status`, { token });
    const { data } = protocol.mediaStack.ServiceStatusResponse.parse(res.body);
    const overseerr = data.services.overseerr as protocol.mediaStack.ServiceInfo;
    expect(overseerr.status).toBe('down');
    expect(overseerr.alerts?.[0]?.message).toContain('MARQUEE_OVERSEERR_API_KEY');
    expect(overseerr.stats).toHaveProperty('lastSuccessAt');
    const sonarr = data.services.sonarr as protocol.mediaStack.ServiceInfo;
    expect(sonarr.alerts?.[0]?.message).toContain('non-JSON');
    const tautulli = data.services.tautulli as protocol.mediaStack.ServiceInfo;
    expect(tautulli.status).toBe('down');
    expect(tautulli.alerts?.[0]?.message).toContain('MARQUEE_TAUTULLI_API_KEY');
    expect(data.overall.status).toBe('critical');
  });

  it('notifies when a request completes, and acknowledging marks it read for this user only', async () => {
    const pending = fakes.state.requests.results[1];
    if (pending) {
      pending.status = 2;
      pending.media.status = 5;
      pending.updatedAt = new Date().toISOString();
    }
    await service().checkNow();
    const unread = await call(`${t.url}${BASE}/notifications?type=request&unread=true`, { token });
    const [completed] = protocol.mediaStack.NotificationListResponse.parse(unread.body).data
      .notifications;
    expect(completed).toMatchObject({
      type: 'request_completed',
      data: { mediaTitle: 'Breaking Bad', user: 'jane_smith' },
    });
    const endpoint = completed?.actions?.[0]?.endpoint ?? '';
    expect(endpoint).toBe(`${BASE}/notifications/${completed?.id}/acknowledge`);

    const ack = await call(`${t.url}${endpoint}`, { token, method: 'POST' });
    expect(ack.status).toBe(200);
    const read = protocol.mediaStack.NotificationResponse.parse(ack.body).data;
    expect(read).toMatchObject({ id: completed?.id, read: true });
    const again = await call(`${t.url}${endpoint}`, { token, method: 'POST' });
    expect(protocol.mediaStack.NotificationResponse.parse(again.body).data.readAt).toBe(
      read.readAt,
    );

    const after = await call(`${t.url}${BASE}/notifications?type=request&unread=true`, { token });
    expect(
      protocol.mediaStack.NotificationListResponse.parse(after.body).data.notifications,
    ).toEqual([]);
    const viewer = await viewerToken(t, token, 'other-reader');
    const theirs = await call(`${t.url}${BASE}/notifications?type=request&unread=true&limit=5`, {
      token: viewer,
    });
    expect(
      protocol.mediaStack.NotificationListResponse.parse(theirs.body).data.notifications,
    ).toHaveLength(1);

    for (const id of ['notif-999999', 'nope']) {
      const missing = await call(`${t.url}${BASE}/notifications/${id}/acknowledge`, {
        token,
        method: 'POST',
      });
      expect(missing.status).toBe(404);
      expect(protocol.mediaStack.MediaStackError.parse(missing.body).error.code).toBe('NOT_FOUND');
    }
  });
});

describe('seed 001: an Overseerr request approved', () => {
  let fed: Awaited<ReturnType<typeof fedServer>>;
  beforeAll(async () => {
    fed = await fedServer();
  });
  afterAll(() => fed.close());

  it('announces a waiting request once it is approved (request_approved, in the request category), not one already approved', async () => {
    const { fakes, t, token, service } = fed;
    const socket = await dashboardSocket(t, token);
    const waiting = fakes.state.requests.results[1];
    if (!waiting) throw new Error('the fixture has a waiting request');
    expect(waiting.status).toBe(1);
    waiting.status = 2; // approved
    waiting.media.status = 3; // processing
    await service().checkNow();
    const pushed = await socket.next((m) => m.type === 'new_notification');
    expect(pushed).toMatchObject({
      notification: {
        type: 'request_approved',
        title: 'Request Approved',
        priority: 'low',
        data: { mediaTitle: 'Breaking Bad', user: 'jane_smith', mediaType: 'tv' },
      },
    });
    const listed = await call(`${t.url}${BASE}/notifications?type=request`, { token });
    const { data } = protocol.mediaStack.NotificationListResponse.parse(listed.body);
    expect(data.notifications.map((n) => n.type)).toEqual(['request_approved']);
    expect(data.summary.byType).toMatchObject({ request_approved: 1 });
    // Polled again unchanged, and then available: no second approval, one completion.
    await service().checkNow();
    waiting.media.status = 5;
    await service().checkNow();
    const after = await call(`${t.url}${BASE}/notifications?type=request`, { token });
    expect(
      protocol.mediaStack.NotificationListResponse.parse(after.body).data.notifications.map(
        (n) => n.type,
      ),
    ).toEqual(['request_completed', 'request_approved']);
    socket.ws.close();
  });
});

describe('notification cleanup', () => {
  it('removes notifications past the retention, and all but the newest beyond the bound', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const t = await startTestServer({}, { now: () => clock, monotonic: () => clock });
    try {
      const repositories = mediaStackStore.open(t.server.store.engine);
      const add = (ageMs: number) =>
        repositories.create({
          type: 'service_down',
          title: 't',
          message: 'm',
          priority: 'high',
          createdAt: new Date(clock - ageMs).toISOString(),
        });
      await add(40 * 86_400_000);
      for (let i = 5; i > 0; i -= 1) await add(i * 1000);
      clock += 1000;
      // The daily job: 30 days' retention, at most MAX_NOTIFICATIONS.
      expect(await t.server.surface(mediaStackModule).service.cleanup()).toBe(1);
      expect(await repositories.cleanup(new Date(0).toISOString(), 3)).toBe(2);
      const token = await t.login();
      const list = await call(`${t.url}${BASE}/notifications`, { token });
      const { data } = protocol.mediaStack.NotificationListResponse.parse(list.body);
      expect(data.summary.total).toBe(3);
      expect(data.notifications.map((n) => n.id)).toEqual(['notif-6', 'notif-5', 'notif-4']);
    } finally {
      await t.close();
    }
  });
});
