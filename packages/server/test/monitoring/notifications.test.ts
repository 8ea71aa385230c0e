/**
 * Issue 13 §4 on a real server (port 0) with real HTTP receivers (port 0): the `forMinutes`
 * duration before an alert opens (injected clock), webhook and ntfy notifications, per-level
 * routing, retries with backoff, 4xx not retried, the bounded queue, secrets redacted in answers
 * and logs, and the admin-only test endpoint.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { protocol } from '@marquee/sdk';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Notifier } from '../../src/surfaces/monitoring/notifier';
import { monitoringModule } from '../../src/surfaces/monitoring/module';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

const WAIT = { timeout: 10_000, interval: 20 };

interface Received {
  readonly at: number;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Status for the next requests, in order; then 204. */
  readonly statuses: number[];
}

const servers: TestServer[] = [];
const receivers: Server[] = [];

afterEach(async () => {
  for (const t of servers.splice(0)) await t.close();
  for (const r of receivers.splice(0)) {
    r.closeAllConnections();
    await new Promise((resolve) => r.close(resolve));
  }
});

async function receiver(): Promise<Receiver> {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({
        at: Date.now(),
        url: req.url ?? '',
        headers: req.headers,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      });
      res.statusCode = statuses.shift() ?? 204;
      res.end();
    });
  });
  receivers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, statuses };
}

interface Mail {
  readonly from: string;
  readonly to: string[];
  readonly user: string | undefined;
  readonly raw: string;
}

/** A real SMTP server on port 0 (plain, AUTH PLAIN/LOGIN): `replies` holds codes to refuse with, in order. */
async function smtpSink(): Promise<{
  port: number;
  mails: Mail[];
  replies: number[];
  close(): Promise<void>;
}> {
  const mails: Mail[] = [];
  const replies: number[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts' && auth.password === 'smtp-secret') {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const code = replies.shift();
        if (code !== undefined) {
          const error = Object.assign(new Error(`refused with ${code}`), { responseCode: code });
          callback(error);
          return;
        }
        mails.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    replies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const QUIET = {
  memory: { warning: 99, critical: 100 },
  disk: { warning: 99, critical: 100 },
};

function settings(
  cpu: protocol.monitoring.Threshold,
  channels: protocol.monitoring.NotificationChannel[],
  minLevel: protocol.monitoring.AlertLevel = 'warning',
): protocol.monitoring.AlertSettings {
  return {
    thresholds: { cpu, ...QUIET },
    notifications: { email: false, desktop: false, minLevel, channels },
  };
}

async function start(
  overrides: Record<string, unknown> = {},
  options: Parameters<typeof startTestServer>[1] = {},
): Promise<TestServer> {
  const t = await startTestServer(
    { sampleIntervalMs: 100, monitoringNotifyRetryMs: 100, ...overrides },
    options,
  );
  servers.push(t);
  t.source.reading = {
    ...t.source.reading,
    cpuPercent: 10,
    memUsedBytes: 4e9,
    memTotalBytes: 16e9,
    diskUsedBytes: 100e9,
    diskTotalBytes: 2000e9,
  };
  return t;
}

async function nextSamples(t: TestServer, n = 2): Promise<void> {
  const reads = t.source.reads;
  await vi.waitFor(() => expect(t.source.reads).toBeGreaterThanOrEqual(reads + n), WAIT);
}

async function operator(t: TestServer): Promise<string> {
  await t.server.auth.createUser({
    username: 'op',
    password: 'operator-password-1',
    role: 'operator',
  });
  return login(t.url, 'op', 'operator-password-1');
}

async function alertCount(t: TestServer, token: string): Promise<number> {
  const res = await call(`${t.url}/api/v1/alerts`, { token });
  return (res.body as protocol.monitoring.AlertList).total;
}

describe('monitoring alerts: duration and notifications', () => {
  it('opens an alert only after the value stays above the line for forMinutes, then notifies the webhook', async () => {
    let clock = Date.parse('2026-12-07T12:00:00Z');
    const t = await start({}, { now: () => clock });
    const hook = await receiver();
    const token = await t.login();
    const saved = await call(`${t.url}/api/v1/alerts/settings`, {
      token,
      body: settings({ warning: 80, critical: 90, forMinutes: 2 }, [
        { type: 'webhook', name: 'hook', url: `${hook.url}/alerts` },
      ]),
    });
    expect(saved.status).toBe(200);

    t.source.reading = { ...t.source.reading, cpuPercent: 85 };
    await nextSamples(t);
    clock += 60_000; // one minute above the line: still waiting
    await nextSamples(t, 3);
    expect(await alertCount(t, token)).toBe(0);

    // One sample under the line restarts the wait.
    t.source.reading = { ...t.source.reading, cpuPercent: 50 };
    await nextSamples(t, 3);
    t.source.reading = { ...t.source.reading, cpuPercent: 85 };
    await nextSamples(t, 3);
    clock += 90_000; // 90 s since the value came back: not yet 2 minutes
    await nextSamples(t, 3);
    expect(await alertCount(t, token)).toBe(0);
    expect(hook.received).toHaveLength(0);

    clock += 31_000; // 121 s: it opens
    await vi.waitFor(async () => expect(await alertCount(t, token)).toBe(1), WAIT);
    await vi.waitFor(() => expect(hook.received).toHaveLength(1), WAIT);
    const [delivery] = hook.received;
    expect(delivery?.url).toBe('/alerts');
    expect(delivery?.headers['content-type']).toBe('application/json');
    const body = delivery?.body as { event: string; alert: protocol.monitoring.Alert };
    expect(body.event).toBe('alert');
    expect(protocol.monitoring.Alert.parse(body.alert)).toMatchObject({
      level: 'warning',
      source: 'system',
      details: { metric: 'cpu', threshold: 80, forMinutes: 2 },
    });
    expect(body.alert.timestamp).toBe(new Date(clock).toISOString());
    // Staying there sends nothing more.
    await nextSamples(t, 3);
    expect(hook.received).toHaveLength(1);
  });

  it('routes by level, publishes to ntfy with title, priority and tags, retries 5xx with backoff and gives up on 4xx', async () => {
    const t = await start();
    const errorsOnly = await receiver();
    const flaky = await receiver();
    const refusing = await receiver();
    const ntfy = await receiver();
    flaky.statuses.push(500, 503);
    refusing.statuses.push(400, 400, 400);
    const token = await t.login();
    const res = await call(`${t.url}/api/v1/alerts/settings`, {
      token,
      body: settings({ warning: 80, critical: 90 }, [
        { type: 'webhook', name: 'errors', url: errorsOnly.url, levels: ['error'] },
        { type: 'webhook', name: 'flaky', url: flaky.url },
        { type: 'webhook', name: 'refusing', url: refusing.url },
        {
          type: 'ntfy',
          name: 'phone',
          url: ntfy.url,
          topic: 'homelab',
          token: 'tk_ntfy_secret',
          tags: ['server'],
        },
      ]),
    });
    expect(res.status).toBe(200);

    t.source.reading = { ...t.source.reading, cpuPercent: 85 }; // a warning
    await vi.waitFor(() => expect(ntfy.received).toHaveLength(1), WAIT);
    expect(ntfy.received[0]?.headers.authorization).toBe('Bearer tk_ntfy_secret');
    expect(ntfy.received[0]?.body).toMatchObject({
      topic: 'homelab',
      title: 'Marquee warning: system',
      priority: 4,
      tags: ['warning', 'server'],
    });
    expect((ntfy.received[0]?.body as { message: string }).message).toMatch(/CPU usage 85%/);

    // 500, 503, then 204: three tries, the gaps doubling from 100 ms.
    await vi.waitFor(() => expect(flaky.received).toHaveLength(3), WAIT);
    const [a, b, c] = flaky.received.map((r) => r.at);
    expect(b! - a!).toBeGreaterThanOrEqual(90);
    expect(c! - b!).toBeGreaterThanOrEqual(190);
    const { notifier } = t.server.surface(monitoringModule);
    await vi.waitFor(() => expect(notifier.stats.sent).toBe(2), WAIT); // ntfy + flaky
    expect(notifier.stats.retries).toBe(2);
    // A 400 is final: one try.
    expect(refusing.received).toHaveLength(1);
    expect(notifier.stats.failed).toBe(1);
    expect(errorsOnly.received).toHaveLength(0);

    t.source.reading = { ...t.source.reading, cpuPercent: 95 }; // escalates to an error
    await vi.waitFor(() => expect(errorsOnly.received).toHaveLength(1), WAIT);
    expect(errorsOnly.received[0]?.body).toMatchObject({ alert: { level: 'error' } });
    await vi.waitFor(() => expect(ntfy.received).toHaveLength(2), WAIT);
    expect(ntfy.received[1]?.body).toMatchObject({
      priority: 5,
      tags: ['rotating_light', 'server'],
    });
  });

  it('minLevel silences lower levels for every channel', async () => {
    const t = await start();
    const hook = await receiver();
    const token = await t.login();
    await call(`${t.url}/api/v1/alerts/settings`, {
      token,
      body: settings(
        { warning: 80, critical: 90 },
        [{ type: 'webhook', name: 'h', url: hook.url }],
        'error',
      ),
    });
    t.source.reading = { ...t.source.reading, cpuPercent: 85 };
    await vi.waitFor(async () => expect(await alertCount(t, token)).toBe(1), WAIT);
    await nextSamples(t, 3);
    expect(hook.received).toHaveLength(0);
    t.source.reading = { ...t.source.reading, cpuPercent: 95 };
    await vi.waitFor(() => expect(hook.received).toHaveLength(1), WAIT);
  });

  it('redacts secrets in answers and logs, keeps them when the placeholder is posted back, and tests channels (admin only)', async () => {
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const t = await start({ logLevel: 'info' }, { logStream });
    const hook = await receiver();
    const ntfy = await receiver();
    const admin = await t.login();
    const op = await operator(t);
    const secretUrl = `${hook.url.replace('http://', 'http://bot:hunter2-pw@')}/in?token=abc-secret&x=1`;
    const body = settings({ warning: 80, critical: 90 }, [
      {
        type: 'webhook',
        name: 'hook',
        url: secretUrl,
        headers: { Authorization: 'Bearer wh-secret' },
      },
      { type: 'ntfy', name: 'phone', url: ntfy.url, topic: 'ops', token: 'tk_secret' },
    ]);
    const saved = await call(`${t.url}/api/v1/alerts/settings`, { token: op, body });
    expect(saved.status).toBe(200);
    const shown = await call(`${t.url}/api/v1/alerts/settings`, { token: op });
    const text = JSON.stringify([saved.body, shown.body]);
    for (const secret of ['hunter2-pw', 'abc-secret', 'wh-secret', 'tk_secret']) {
      expect(text).not.toContain(secret);
    }
    const channels = (shown.body as protocol.monitoring.AlertSettings).notifications.channels!;
    expect(channels[0]).toMatchObject({ headers: { Authorization: '[REDACTED]' } });
    expect(channels[0]?.type === 'webhook' && channels[0].url).toContain('token=[REDACTED]&x=1');
    expect(channels[1]).toMatchObject({ token: '[REDACTED]' });

    // The answer posted back (say, after changing a threshold) keeps the secrets.
    const edited = shown.body as protocol.monitoring.AlertSettings;
    const again = await call(`${t.url}/api/v1/alerts/settings`, {
      token: op,
      body: { ...edited, thresholds: { ...edited.thresholds, cpu: { warning: 70, critical: 90 } } },
    });
    expect(again.status).toBe(200);

    // Test notification: admin only; each routed channel tried once with the real secrets.
    const denied = await call(`${t.url}/api/v1/alerts/test`, { token: op, body: {} });
    expect(denied.status).toBe(403);
    expect(protocol.monitoring.MonitoringError.parse(denied.body).error.code).toBe('FORBIDDEN');
    const tested = await call(`${t.url}/api/v1/alerts/test`, {
      token: admin,
      body: { level: 'error' },
    });
    expect(tested.status).toBe(200);
    expect(tested.body).toEqual({
      results: [
        { name: 'hook', type: 'webhook', ok: true, status: 204 },
        { name: 'phone', type: 'ntfy', ok: true, status: 204 },
      ],
    });
    expect(hook.received[0]?.url).toBe('/in?token=abc-secret&x=1');
    // The header given wins over the URL's user info (sent as Basic auth otherwise).
    expect(hook.received[0]?.headers.authorization).toBe('Bearer wh-secret');
    expect(hook.received[0]?.body).toMatchObject({
      event: 'test',
      alert: { level: 'error', source: 'test' },
    });
    expect(ntfy.received[0]?.headers.authorization).toBe('Bearer tk_secret');
    expect(ntfy.received[0]?.body).toMatchObject({
      title: '[test] Marquee error: test',
      priority: 5,
    });

    // A placeholder for a channel with no stored secret is refused, not stored.
    const refused = await call(`${t.url}/api/v1/alerts/settings`, {
      token: op,
      body: settings({ warning: 80, critical: 90 }, [
        { type: 'ntfy', name: 'new', url: ntfy.url, topic: 'ops', token: '[REDACTED]' },
      ]),
    });
    expect(refused.status).toBe(400);
    expect(protocol.monitoring.MonitoringError.parse(refused.body).error.code).toBe('BAD_REQUEST');
    expect(
      await call(`${t.url}/api/v1/alerts/test`, { token: admin, body: { level: 'teapot' } }),
    ).toMatchObject({
      status: 400,
    });

    // A failing channel reports its error; the log names the channel, never a secret.
    hook.statuses.push(502);
    const failing = await call(`${t.url}/api/v1/alerts/test`, { token: admin, body: {} });
    expect(failing.body).toMatchObject({
      results: [
        { name: 'hook', ok: false, status: 502, error: 'HTTP 502' },
        { name: 'phone', ok: true },
      ],
    });
    t.source.reading = { ...t.source.reading, cpuPercent: 75 };
    await vi.waitFor(() => expect(lines.join('')).toContain('monitoring: notification sent'), WAIT);
    const log = lines.join('');
    for (const secret of ['hunter2-pw', 'abc-secret', 'wh-secret', 'tk_secret']) {
      expect(log).not.toContain(secret);
    }
  });

  it("sends e-mail over SMTP while the seed's email switch is on, retries a 4xx reply, redacts the password", async () => {
    const t = await start();
    const sink = await smtpSink();
    const cleanup = () => sink.close();
    try {
      const token = await t.login();
      const mail: protocol.monitoring.NotificationChannel = {
        type: 'email',
        name: 'ops-mail',
        host: '127.0.0.1',
        port: sink.port,
        secure: false,
        username: 'alerts',
        password: 'smtp-secret',
        from: 'marquee@example.com',
        to: ['ops@example.com', 'oncall@example.com'],
      };
      const off = settings({ warning: 80, critical: 90 }, [mail]);
      expect((await call(`${t.url}/api/v1/alerts/settings`, { token, body: off })).status).toBe(
        200,
      );
      const shown = await call(`${t.url}/api/v1/alerts/settings`, { token });
      expect(JSON.stringify(shown.body)).not.toContain('smtp-secret');
      expect(shown.body).toMatchObject({
        notifications: { channels: [{ password: '[REDACTED]' }] },
      });

      // `email: false` (the seed's switch): an alert sends no e-mail.
      t.source.reading = { ...t.source.reading, cpuPercent: 85 };
      await vi.waitFor(async () => expect(await alertCount(t, token)).toBe(1), WAIT);
      await nextSamples(t, 3);
      expect(sink.mails).toHaveLength(0);

      // Switched on (the answer posted back keeps the password); the next alert is refused once
      // with 451 (temporary) and delivered on the retry.
      const on = shown.body as protocol.monitoring.AlertSettings;
      const saved = await call(`${t.url}/api/v1/alerts/settings`, {
        token,
        body: { ...on, notifications: { ...on.notifications, email: true } },
      });
      expect(saved.status).toBe(200);
      sink.replies.push(451);
      t.source.reading = { ...t.source.reading, cpuPercent: 95 };
      await vi.waitFor(() => expect(sink.mails).toHaveLength(1), WAIT);
      const { notifier } = t.server.surface(monitoringModule);
      expect(notifier.stats.retries).toBe(1);
      const [delivered] = sink.mails;
      expect(delivered?.user).toBe('alerts');
      expect(delivered?.from).toBe('marquee@example.com');
      expect(delivered?.to).toEqual(['ops@example.com', 'oncall@example.com']);
      expect(delivered?.raw).toContain('Subject: [Marquee] error: CPU usage 95%');
      expect(delivered?.raw).toContain('Level: error');

      // A 550 is final; the test endpoint reports the SMTP code.
      sink.replies.push(550);
      const failed = await call(`${t.url}/api/v1/alerts/test`, { token, body: { level: 'error' } });
      expect(failed.body).toMatchObject({
        results: [{ name: 'ops-mail', type: 'email', ok: false, status: 550 }],
      });
      const tested = await call(`${t.url}/api/v1/alerts/test`, { token, body: { level: 'error' } });
      expect(tested.body).toEqual({
        results: [{ name: 'ops-mail', type: 'email', ok: true, status: 250 }],
      });
      expect(sink.mails[1]?.raw).toContain('Subject: [test] [Marquee] error: Test notification');
    } finally {
      await cleanup();
    }
  });

  it('keeps a bounded queue: beyond maxQueue the oldest pending send is dropped', async () => {
    // A port with nothing listening: every try fails and waits a long backoff.
    const gone = await receiver();
    const url = gone.url;
    const server = receivers.pop()!;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const warnings: string[] = [];
    const logger = {
      warn: (_o: unknown, msg: string) => warnings.push(msg),
      info: () => undefined,
      error: () => undefined,
    } as unknown as ConstructorParameters<typeof Notifier>[0]['logger'];
    const notifier = new Notifier({ logger, maxQueue: 3, retryBaseMs: 60_000 });
    const config = settings({ warning: 80, critical: 90 }, [{ type: 'webhook', name: 'x', url }]);
    for (let i = 0; i < 8; i += 1) {
      notifier.notify(
        {
          id: `alert-${i}`,
          timestamp: new Date().toISOString(),
          level: 'warning',
          message: 'm',
          source: 'system',
          details: {},
        },
        config,
      );
    }
    expect(notifier.pending).toBe(3);
    expect(notifier.stats.dropped).toBe(5);
    expect(warnings.filter((w) => w.includes('queue full'))).toHaveLength(5);
    await vi.waitFor(() => expect(notifier.stats.retries).toBe(3), WAIT);
    expect(notifier.pending).toBe(3);
    notifier.close();
    expect(notifier.pending).toBe(0);
  });
});

interface AppriseCall {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/**
 * A fake Apprise API server (caronc/apprise-api's `POST /notify/` and `POST /notify/{key}`): it
 * checks a request as the real one does (JSON, `body` required, `urls` required without a key,
 * `type` one of Apprise's four), answers 400 with the reason otherwise, and records what it got.
 */
async function fakeApprise(keys: readonly string[]): Promise<{
  url: string;
  calls: AppriseCall[];
}> {
  const calls: AppriseCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const refuse = (status: number, reason: string) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: reason }));
      };
      const match = /^\/notify\/([\w-]*)$/.exec(req.url ?? '');
      if (req.method !== 'POST' || match === null) return refuse(404, 'not found');
      if (!req.headers['content-type']?.startsWith('application/json')) {
        return refuse(400, 'expected JSON');
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const key = match[1] ?? '';
      if (typeof body.body !== 'string' || body.body === '') return refuse(400, 'body required');
      const type = body.type ?? 'info';
      if (typeof type !== 'string' || !['info', 'success', 'warning', 'failure'].includes(type)) {
        return refuse(400, 'bad type');
      }
      if (key === '' && (typeof body.urls !== 'string' || body.urls === '')) {
        return refuse(400, 'urls required');
      }
      if (key !== '' && !keys.includes(key)) return refuse(204, '');
      calls.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  receivers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls };
}

describe('Apprise, and notifications when an alert ends', () => {
  it('posts to an Apprise API server, stateless and by key, and says when an alert is resolved', async () => {
    const t = await start();
    const apprise = await fakeApprise(['ops-key']);
    const hook = await receiver();
    const token = await t.login();
    const urls = ['tgram://123456:bot-secret/987', 'json://hooks.example/in'];
    const saved = await call(`${t.url}/api/v1/alerts/settings`, {
      token,
      body: settings({ warning: 80, critical: 90 }, [
        { type: 'apprise', name: 'apprise', url: apprise.url, urls },
        {
          type: 'apprise',
          name: 'apprise-ops',
          url: `${apprise.url}/`,
          key: 'ops-key',
          tag: 'pager',
          levels: ['error'],
        },
        { type: 'webhook', name: 'hook', url: hook.url },
      ]),
    });
    expect(saved.status).toBe(200);
    // The Apprise URLs and key hold credentials: redacted in every answer.
    expect(JSON.stringify(saved.body)).not.toMatch(/bot-secret|hooks\.example|ops-key/);
    const shown = (await call(`${t.url}/api/v1/alerts/settings`, { token }))
      .body as protocol.monitoring.AlertSettings;
    expect(shown.notifications.channels?.[0]).toMatchObject({
      urls: ['[REDACTED]', '[REDACTED]'],
    });
    expect(shown.notifications.channels?.[1]).toMatchObject({ key: '[REDACTED]', tag: 'pager' });
    // Posted back as shown: the stored URLs and key are kept.
    expect((await call(`${t.url}/api/v1/alerts/settings`, { token, body: shown })).status).toBe(
      200,
    );

    t.source.reading = { ...t.source.reading, cpuPercent: 85 }; // a warning opens
    await vi.waitFor(() => expect(apprise.calls).toHaveLength(1), WAIT);
    expect(apprise.calls[0]).toMatchObject({
      path: '/notify/',
      body: { urls: urls.join(','), title: 'Marquee warning: system', type: 'warning' },
    });
    expect(apprise.calls[0]?.body.body).toMatch(/^CPU usage 85% is at or above/);

    t.source.reading = { ...t.source.reading, cpuPercent: 95 }; // escalates: no "resolved"
    await vi.waitFor(() => expect(apprise.calls).toHaveLength(3), WAIT);
    const byPath = (path: string) => apprise.calls.filter((c) => c.path === path);
    expect(byPath('/notify/ops-key')[0]?.body).toMatchObject({
      tag: 'pager',
      title: 'Marquee error: system',
      type: 'failure',
    });
    expect(byPath('/notify/ops-key')[0]?.body.urls).toBeUndefined();
    expect(byPath('/notify/')[1]?.body).toMatchObject({ type: 'failure' });
    await nextSamples(t, 3);
    expect(hook.received.map((r) => (r.body as { event: string }).event)).toEqual([
      'alert',
      'alert',
    ]);

    t.source.reading = { ...t.source.reading, cpuPercent: 20 }; // the error ends
    await vi.waitFor(() => expect(apprise.calls).toHaveLength(5), WAIT);
    await vi.waitFor(() => expect(hook.received).toHaveLength(3), WAIT);
    const resolved = hook.received[2]?.body as {
      event: string;
      alert: protocol.monitoring.Alert;
    };
    expect(resolved.event).toBe('resolved');
    expect(resolved.alert).toMatchObject({ level: 'error', details: { metric: 'cpu', peak: 95 } });
    const endedAt = resolved.alert.details.endedAt;
    expect(typeof endedAt).toBe('string');
    for (const path of ['/notify/', '/notify/ops-key']) {
      expect(byPath(path).at(-1)?.body).toMatchObject({
        type: 'success',
        title: 'Marquee resolved: system',
        body: `Resolved at ${String(endedAt)}: ${resolved.alert.message}`,
      });
    }
    // The alert list shows it ended.
    const list = (await call(`${t.url}/api/v1/alerts`, { token }))
      .body as protocol.monitoring.AlertList;
    expect(list.alerts[0]?.details.endedAt).toBe(endedAt);

    // The test endpoint tries Apprise too, with the stored secrets.
    const tested = await call(`${t.url}/api/v1/alerts/test`, {
      token,
      body: { level: 'error' },
    });
    expect(tested.body).toEqual({
      results: [
        { name: 'apprise', type: 'apprise', ok: true, status: 200 },
        { name: 'apprise-ops', type: 'apprise', ok: true, status: 200 },
        { name: 'hook', type: 'webhook', ok: true, status: 204 },
      ],
    });
    expect(apprise.calls.at(-2)?.body).toMatchObject({
      urls: urls.join(','),
      title: '[test] Marquee error: test',
    });
  });

  it('refuses an Apprise channel with neither or both of urls and key', async () => {
    const t = await start();
    const token = await t.login();
    for (const channel of [
      { type: 'apprise', name: 'a', url: 'http://apprise:8000' },
      { type: 'apprise', name: 'a', url: 'http://apprise:8000', urls: ['json://x'], key: 'k' },
      { type: 'apprise', name: 'a', url: 'http://apprise:8000', key: 'bad key!' },
    ]) {
      const res = await call(`${t.url}/api/v1/alerts/settings`, {
        token,
        body: settings({ warning: 80, critical: 90 }, [
          channel as protocol.monitoring.NotificationChannel,
        ]),
      });
      expect(res.status).toBe(400);
      expect(protocol.monitoring.MonitoringError.parse(res.body).error.code).toBe('BAD_REQUEST');
    }
  });
});

describe("the seed's desktop switch (notify-send)", () => {
  it('runs notify-send for alerts and their end while desktop is on, and in a test', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'marquee-notify-send-'));
    try {
      // A notify-send that records its arguments, one call per line, NUL between arguments.
      const calls = join(dir, 'calls');
      const command = join(dir, 'notify-send');
      writeFileSync(command, `#!/bin/sh\nprintf '%s\\0' "$@" >> '${calls}'\necho >> '${calls}'\n`);
      chmodSync(command, 0o755);
      const recorded = () =>
        existsSync(calls)
          ? readFileSync(calls, 'utf8')
              .split('\n')
              .filter((line) => line !== '')
              .map((line) => line.split('\0').slice(0, -1))
          : [];
      const t = await start({ monitoringNotifySend: command });
      const token = await t.login();
      const body = settings({ warning: 80, critical: 90 }, []);
      // Off: nothing runs.
      await call(`${t.url}/api/v1/alerts/settings`, { token, body });
      t.source.reading = { ...t.source.reading, cpuPercent: 85 };
      await vi.waitFor(async () => expect(await alertCount(t, token)).toBe(1), WAIT);
      t.source.reading = { ...t.source.reading, cpuPercent: 10 };
      await nextSamples(t, 3);
      expect(recorded()).toEqual([]);

      const on = { ...body, notifications: { ...body.notifications, desktop: true } };
      expect((await call(`${t.url}/api/v1/alerts/settings`, { token, body: on })).status).toBe(200);
      t.source.reading = { ...t.source.reading, cpuPercent: 95 };
      await vi.waitFor(() => expect(recorded()).toHaveLength(1), WAIT);
      expect(recorded()[0]).toEqual([
        '--app-name=Marquee',
        '--urgency=critical',
        'Marquee error: system',
        expect.stringMatching(/^CPU usage 95% is at or above the critical threshold of 90%$/),
      ]);
      t.source.reading = { ...t.source.reading, cpuPercent: 10 };
      await vi.waitFor(() => expect(recorded()).toHaveLength(2), WAIT);
      expect(recorded()[1]?.slice(0, 3)).toEqual([
        '--app-name=Marquee',
        '--urgency=low',
        'Marquee resolved: system',
      ]);
      expect(recorded()[1]?.[3]).toMatch(/^Resolved at .*: CPU usage 95%/);
      const tested = await call(`${t.url}/api/v1/alerts/test`, { token, body: {} });
      expect(tested.body).toEqual({ results: [{ name: 'desktop', type: 'desktop', ok: true }] });
      expect(recorded()[2]?.slice(1, 3)).toEqual([
        '--urgency=normal',
        '[test] Marquee warning: test',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when notify-send is missing or fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'marquee-notify-send-'));
    try {
      const failing = join(dir, 'failing');
      writeFileSync(
        failing,
        "#!/bin/sh\necho 'Cannot autolaunch D-Bus without X11 $DISPLAY' >&2\nexit 1\n",
      );
      chmodSync(failing, 0o755);
      for (const [command, error] of [
        [join(dir, 'absent'), /absent not found \(install libnotify-bin/],
        [failing, /failing failed with status 1: Cannot autolaunch D-Bus/],
      ] as const) {
        const t = await start({ monitoringNotifySend: command });
        const token = await t.login();
        const base = settings({ warning: 80, critical: 90 }, []);
        await call(`${t.url}/api/v1/alerts/settings`, {
          token,
          body: { ...base, notifications: { ...base.notifications, desktop: true } },
        });
        const tested = await call(`${t.url}/api/v1/alerts/test`, { token, body: {} });
        const [result] = (tested.body as protocol.monitoring.TestNotificationResponse).results;
        expect(result).toMatchObject({ name: 'desktop', type: 'desktop', ok: false });
        expect(result?.error).toMatch(error);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
