/**
 * `GET /metrics` over real sockets: off by default, token-protected on the main port, or served
 * only on its own listen address; the text parses as Prometheus exposition format and the values
 * move with what the server does (sockets, signage commands, HTTP requests, sampler reads).
 */
import { protocol } from '@marquee/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { call, startTestServer, type TestServer } from '../helpers/server';
import { ADMIN_API, register, sendCommand, userToken } from '../signage/helpers';

const TOKEN = 'scrape-token-0123456789';

const servers: TestServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const server of servers.splice(0)) await server.close();
});

async function start(overrides: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer(overrides);
  servers.push(server);
  return server;
}

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the text exposition format: `# TYPE` lines and `name{label="value",...} number`. */
function parse(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1] ?? '', type[2] ?? '');
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not exposition format: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key ?? ''] = value ?? '';
    }
    samples.push({ name: sample[1] ?? '', labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

async function scrape(url: string, token: string | undefined = TOKEN) {
  const res = await fetch(`${url}/metrics`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

function value(
  parsed: { samples: Sample[] },
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = parsed.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found.reduce((sum, s) => sum + s.value, 0);
}

function openSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('GET /metrics', () => {
  it('is off (404 in the core error shape) with neither a token nor a listen address', async () => {
    const t = await start();
    const res = await call(`${t.url}/metrics`, { token: TOKEN });
    expect(res.status).toBe(404);
    expect(protocol.signage.SignageError.parse(res.body)).toMatchObject({
      status_code: 404,
      code: 'NOT_FOUND',
    });
    expect(t.server.metrics.listenerUrl).toBeUndefined();
  });

  it('answers 401 without the token or with a wrong one, in one shape with a Bearer challenge', async () => {
    const t = await start({ metricsToken: TOKEN });
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const res = await call(`${t.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(protocol.signage.SignageError.parse(res.body)).toMatchObject({
        status_code: 401,
        code: 'UNAUTHORIZED',
      });
    }
    // An admin's own token is not the metrics token.
    expect((await call(`${t.url}/metrics`, { token: await t.login() })).status).toBe(401);
  });

  it('serves every documented metric, and the values move with what the server does', async () => {
    const t = await start({ metricsToken: TOKEN });
    const admin = await t.login();
    const before = await scrape(t.url);
    for (const [name, type] of [
      ['marquee_ws_connections', 'gauge'],
      ['marquee_ws_messages_delivered_total', 'counter'],
      ['marquee_ws_messages_coalesced_total', 'counter'],
      ['marquee_ws_messages_dropped_total', 'counter'],
      ['marquee_ws_slow_consumer_closes_total', 'counter'],
      ['marquee_ws_dead_peers_terminated_total', 'counter'],
      ['marquee_ws_upgrades_accepted_total', 'counter'],
      ['marquee_ws_upgrades_rejected_total', 'counter'],
      ['marquee_sampler_duration_seconds', 'histogram'],
      ['marquee_http_request_duration_seconds', 'histogram'],
      ['marquee_signage_commands', 'gauge'],
      ['marquee_signage_devices_online', 'gauge'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ]) {
      expect(before.types.get(name ?? ''), name).toBe(type);
    }
    const dashboard = { channel: '/api/dashboard/ws' };
    expect(value(before, 'marquee_ws_connections', dashboard)).toBe(0);
    expect(value(before, 'marquee_signage_commands', { state: 'queued' })).toBe(0);
    expect(value(before, 'marquee_sampler_duration_seconds_count', { sampler: 'system' })).toBe(0);

    // A dashboard socket: one connection, a snapshot delivered, the system sampler read.
    const ws = await openSocket(`${t.wsUrl}/api/dashboard/ws`);
    await new Promise((resolve) => ws.once('message', resolve));
    const open = await scrape(t.url);
    expect(value(open, 'marquee_ws_connections', dashboard)).toBe(1);
    expect(value(open, 'marquee_ws_upgrades_accepted_total')).toBe(1);
    expect(value(open, 'marquee_ws_messages_delivered_total', dashboard)).toBeGreaterThanOrEqual(1);
    expect(
      value(open, 'marquee_sampler_duration_seconds_count', { sampler: 'system', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
    ws.close();
    await vi.waitFor(async () =>
      expect(value(await scrape(t.url), 'marquee_ws_connections', dashboard)).toBe(0),
    );

    // A command for an offline device is queued.
    await register(t, await userToken(t, 'tv-1'), 'SN-1');
    await sendCommand(t, admin, 'SN-1', { action: 'play' });
    const refused = await fetch(`${t.wsUrl.replace(/^ws/, 'http')}/api/nowhere`);
    expect(refused.status).toBe(404);
    const after = await scrape(t.url);
    expect(value(after, 'marquee_signage_commands', { state: 'queued' })).toBe(1);
    expect(value(after, 'marquee_signage_devices_online')).toBe(0);

    // HTTP latency by route pattern and status class: never the raw URL.
    const commands = {
      route: `${ADMIN_API}/devices/:sn_number/commands/`,
      method: 'POST',
      status_class: '2xx',
    };
    expect(value(after, 'marquee_http_request_duration_seconds_count', commands)).toBe(1);
    expect(
      value(after, 'marquee_http_request_duration_seconds_count', {
        route: 'unmatched',
        status_class: '4xx',
      }),
    ).toBe(1);
    const routes = new Set(
      after.samples
        .filter((s) => s.name === 'marquee_http_request_duration_seconds_count')
        .map((s) => s.labels.route),
    );
    expect([...routes].filter((route) => route?.includes('SN-1') === true)).toEqual([]);
  });

  it('counts each server in its own registry', async () => {
    const [a, b] = await Promise.all([
      start({ metricsToken: TOKEN }),
      start({ metricsToken: TOKEN }),
    ]);
    await openSocket(`${a?.wsUrl ?? ''}/api/dashboard/ws`);
    const fromA = await scrape(a?.url ?? '');
    const fromB = await scrape(b?.url ?? '');
    expect(value(fromA, 'marquee_ws_upgrades_accepted_total')).toBe(1);
    expect(value(fromB, 'marquee_ws_upgrades_accepted_total')).toBe(0);
  });

  it('on MARQUEE_METRICS_LISTEN serves only /metrics there, and the main port answers 404', async () => {
    const t = await start({ metricsListen: '127.0.0.1:0' });
    const listener = t.server.metrics.listenerUrl ?? '';
    expect(listener).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const parsed = await scrape(listener, undefined);
    expect(parsed.types.get('marquee_ws_connections')).toBe('gauge');
    expect((await call(`${t.url}/metrics`)).status).toBe(404);

    const elsewhere = await call(`${listener}/api/dashboard/stats`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toMatchObject({ status_code: 404, code: 'NOT_FOUND' });
    const post = await call(`${listener}/metrics`, { method: 'POST', body: {} });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('on MARQUEE_METRICS_LISTEN with a token, the listener wants the token as well', async () => {
    const t = await start({ metricsListen: '127.0.0.1:0', metricsToken: TOKEN });
    const listener = t.server.metrics.listenerUrl ?? '';
    const anonymous = await call(`${listener}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ status_code: 401, code: 'UNAUTHORIZED' });
    await scrape(listener);
    expect((await call(`${t.url}/metrics`, { token: TOKEN })).status).toBe(404);
  });
});
