/**
 * Session avatars: `avatar_url` in the snapshot points at `GET /api/media/avatar/{username}`,
 * which answers an SVG of the name's initials on a colour derived from the name, stable across
 * case, cacheable (ETag, 304), safe with hostile names (escaped, CSP), 400 for a bad name.
 */
import { protocol } from '@marquee/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avatarSvg, hueOf, initials } from '../../src/surfaces/now-playing/avatars';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

describe('initials', () => {
  it.each([
    ['John', 'J'],
    ['john smith', 'JS'],
    ['Mary Ann Lee', 'ML'],
    ['jane.doe@example.com', 'JD'],
    ['@handle', 'H'],
    ['élodie', 'É'],
    ['李小龍', '李'],
    ['  ', '?'],
    ['---', '?'],
    ['👩‍🚀 Ada', 'A'],
  ])('%j → %j', (name, expected) => {
    expect(initials(name)).toBe(expected);
  });
});

describe('avatarSvg', () => {
  it('gives one colour per name, whatever its case, and different names different colours', () => {
    expect(hueOf('John')).toBe(hueOf('john'));
    const hues = new Set(['John', 'Mary', 'Ada', 'Linus', 'Grace', 'Alan'].map(hueOf));
    expect(hues.size).toBeGreaterThan(3);
  });

  it('escapes the name, so it cannot become markup', () => {
    const svg = avatarSvg('<script>alert(1)</script>" onload="x');
    expect(svg).not.toMatch(/<script/);
    expect(svg).not.toMatch(/" onload="/);
    expect(svg).toMatch(/aria-label="&#60;script&#62;/);
  });
});

describe('GET /api/media/avatar/{username}', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is where a session avatar_url points, and answers the SVG', async () => {
    const token = await login(t.url);
    const body = {
      session_id: 'avatar-1',
      title: 'The Matrix',
      username: 'Zoë Kravitz',
      current_time: 1,
      duration: 100,
      state: 'playing',
    };
    expect((await call(`${t.url}/api/dashboard/session/update`, { token, body })).status).toBe(200);
    const snap = protocol.nowPlaying.Snapshot.parse(
      (await call(`${t.url}/api/dashboard/now-playing`, { token })).body,
    );
    const url = snap.sessions[0]?.avatar_url;
    expect(url).toBe('/api/media/avatar/Zo%C3%AB%20Kravitz');

    const res = await fetch(`${t.url}${url ?? ''}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const svg = await res.text();
    expect(svg).toBe(avatarSvg('Zoë Kravitz'));
    expect(svg).toMatch(/>ZK<\/text>/);

    const etag = res.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${t.url}${url ?? ''}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('refuses an over-long name in the surface error shape', async () => {
    expect((await fetch(`${t.url}/api/media/avatar/${'a'.repeat(200)}`)).status).toBe(200);
    const res = await call(`${t.url}/api/media/avatar/${'a'.repeat(201)}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'BAD_REQUEST' });
  });
});
