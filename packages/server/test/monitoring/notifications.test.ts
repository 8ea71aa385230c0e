/**
 * Issue 13 §4 on a real server (port 0) with real HTTP receivers (port 0): the `forMinutes`
 * duration before an alert opens (injected clock), webhook and ntfy notifications, per-level
 * routing, retries with backoff, 4xx not retried, the bounded queue, secrets redacted in answers
 * and logs, and the admin-only test endpoint.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
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
