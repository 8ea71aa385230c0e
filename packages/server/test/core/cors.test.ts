/**
 * CORS against a real server: off by default; listed origins echoed with credentials, `*` for any
 * origin without; preflights answered 204 for allowed origins (methods, requested headers, max
 * age) and without CORS headers for others; errors carry the headers too, so a browser app can
 * read a 401. `MARQUEE_CORS_ORIGINS` is validated at start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config';
import { startTestServer, type TestServer } from '../helpers/server';

const APP = 'https://app.example.com';
let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function preflight(url: string, origin: string) {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });
}

describe('CORS', () => {
  it('sends no CORS headers unless origins are configured', async () => {
    t = await startTestServer();
    const res = await fetch(`${t.url}/healthz`, { headers: { origin: APP } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await preflight(`${t.url}/api/dashboard/session/update`, APP);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets a listed origin in, with credentials, on answers and errors alike', async () => {
    t = await startTestServer({ corsOrigins: `${APP}, http://localhost:5173` });
    const ok = await fetch(`${t.url}/api/dashboard/stats`, { headers: { origin: APP } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('vary')).toMatch(/Origin/);
    expect(ok.headers.get('access-control-expose-headers')).toMatch(/ETag/);

    const denied = await fetch(`${t.url}/api/dashboard/now-playing`, {
      headers: { origin: 'http://localhost:5173' },
    });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');

    const other = await fetch(`${t.url}/api/dashboard/stats`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers preflights for allowed origins only', async () => {
    t = await startTestServer({ corsOrigins: [APP] });
    const pre = await preflight(`${t.url}/api/dashboard/session/update`, APP);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(APP);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(pre.headers.get('access-control-max-age')).toBe('600');

    const evil = await preflight(`${t.url}/api/dashboard/session/update`, 'https://evil.example');
    expect(evil.status).toBe(204);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('answers * to any origin, without credentials, when the list holds *', async () => {
    t = await startTestServer({ corsOrigins: '*' });
    const res = await fetch(`${t.url}/healthz`, { headers: { origin: 'https://any.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses an origin with a path at start', () => {
    expect(() =>
      loadConfig({ env: { MARQUEE_CORS_ORIGINS: 'https://app.example.com/ui' }, cwd: '/' }),
    ).toThrow(ConfigError);
    expect(
      loadConfig({ env: { MARQUEE_CORS_ORIGINS: `${APP},http://[::1]:3000` }, cwd: '/' })
        .corsOrigins,
    ).toEqual([APP, 'http://[::1]:3000']);
  });
});
