/**
 * `GET /api/v1/logs` on a real server (port 0, a real SQLite file): the server's own pino log
 * kept through the log tap, newest first, `level`, `limit` and `since`, access lines left out,
 * secrets redacted, the row cap, kept across a restart, and bad queries answered 400 in the
 * seed's error shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { protocol } from '@marquee/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { monitoringModule } from '../../src/surfaces/monitoring/module';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

const servers: TestServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const t of servers.splice(0)) await t.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function start(
  overrides: Record<string, unknown> = {},
  options: Parameters<typeof startTestServer>[1] = {},
): Promise<TestServer> {
  const t = await startTestServer(
    { logLevel: 'info', monitoringRecord: false, ...overrides },
    {
      logStream: sink().stream,
      ...options,
    },
  );
  servers.push(t);
  return t;
}

async function logs(
  t: TestServer,
  token: string,
  query = '',
): Promise<protocol.monitoring.LogList> {
  const res = await call(`${t.url}/api/v1/logs${query}`, { token });
  expect(res.status).toBe(200);
  return protocol.monitoring.LogList.parse(res.body);
}

describe('GET /api/v1/logs', () => {
  it('serves the server log newest first with level, limit and since, secrets redacted, no access lines', async () => {
    const out = sink();
    const t = await start({}, { logStream: out.stream });
    await t.server.auth.createUser({
      username: 'v',
      password: 'viewer-password-1',
      role: 'viewer',
    });
    const viewer = await login(t.url, 'v', 'viewer-password-1');
    const log = t.server.app.log;
    const before = new Date(Date.now() - 1).toISOString();
    log.debug('a debug line is not kept');
    log.info({ apiKey: 'k-secret-1', plex: { token: 'k-secret-2' } }, 'first info');
    log.warn({ url: '/library?X-Plex-Token=k-secret-3&x=1', attempt: 2 }, 'a warning');
    log.error({ err: new Error('boom') }, 'an error');
    log.fatal('the end of the world');

    const all = await logs(t, viewer, `?since=${encodeURIComponent(before)}`);
    const messages = all.logs.map((l) => l.message);
    expect(messages).toEqual(['the end of the world', 'an error', 'a warning', 'first info']);
    expect(all.logs.map((l) => l.level)).toEqual(['error', 'error', 'warn', 'info']);
    expect(all.logs[2]?.context).toEqual({
      url: '/library?X-Plex-Token=[REDACTED]&x=1',
      attempt: 2,
    });
    expect(all.logs[3]?.context).toEqual({ apiKey: '[REDACTED]', plex: { token: '[REDACTED]' } });
    expect(all.logs[1]?.context).toMatchObject({ err: { type: 'Error', message: 'boom' } });
    expect(JSON.stringify(all)).not.toMatch(/k-secret|at Object|\.ts:\d+/);
    // The console log still gets every line, debug excepted at level info.
    expect(out.text()).toContain('"msg":"first info"');

    expect((await logs(t, viewer, '?level=warn')).logs.map((l) => l.message)).toContain(
      'a warning',
    );
    expect((await logs(t, viewer, '?level=warn')).logs.every((l) => l.level === 'warn')).toBe(true);
    expect((await logs(t, viewer, '?limit=2')).logs.map((l) => l.message)).toEqual([
      'the end of the world',
      'an error',
    ]);
    const later = await logs(
      t,
      viewer,
      `?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(later.logs).toEqual([]);
    // Requests (the log's own reads included) are not kept at info.
    const every = await logs(t, viewer, '?limit=1000');
    expect(every.logs.some((l) => /incoming request|request completed/.test(l.message))).toBe(
      false,
    );

    for (const query of ['?limit=0', '?limit=1001', '?level=debug', '?since=yesterday']) {
      const res = await call(`${t.url}/api/v1/logs${query}`, { token: viewer });
      expect(res.status).toBe(400);
      expect(protocol.monitoring.MonitoringError.parse(res.body).error.code).toBe('BAD_REQUEST');
    }
    const anonymous = await call(`${t.url}/api/v1/logs`);
    expect(anonymous.status).toBe(401);
    expect(protocol.monitoring.MonitoringError.parse(anonymous.body).error.code).toBe(
      'UNAUTHORIZED',
    );
  });

  it('keeps at most the configured rows and keeps them across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-logs-'));
    dirs.push(dataDir);
    const first = await start({ monitoringLogRows: 100 }, { dataDir });
    // A synchronous burst far beyond what may wait in memory: written in batches as it comes.
    for (let i = 0; i < 3000; i += 1) first.server.app.log.info({ i }, `line ${i}`);
    const token = await first.login();
    const kept = await logs(first, token, '?limit=1000');
    expect(kept.logs).toHaveLength(100);
    expect(kept.logs[0]?.message).toBe('line 2999');
    expect(kept.logs.at(-1)?.message).toBe('line 2900');
    expect(first.server.surface(monitoringModule).logs.dropped).toBe(0);
    first.server.app.log.warn('written at shutdown');
    await first.close();
    servers.splice(servers.indexOf(first), 1);

    const second = await start({ monitoringLogRows: 100 }, { dataDir });
    const after = await logs(second, await second.login(), '?level=warn');
    expect(after.logs.map((l) => l.message)).toContain('written at shutdown');
  });
});
