/**
 * The poster relay under MARQUEE_NOW_PLAYING_WS_AUTH=token: a poster says what someone watches,
 * so where the Now Playing socket needs a token the relay needs the same one (a user, or a display
 * token scoped `now-playing`, as Bearer or the session cookie). Real server on port 0 against the
 * simulators' fake Plex; without credentials nothing reaches Plex.
 */
import { FAKE_CREDENTIALS, startFakeMediaStack, type FakeMediaStack } from '@marquee/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, call, startTestServer, type TestServer } from '../helpers/server';

let fakes: FakeMediaStack;
let t: TestServer;
let admin: string;

const posterHits = () =>
  [...fakes.plex.hits].reduce(
    (sum, [path, count]) => (path.startsWith('/library/metadata/') ? sum + count : sum),
    0,
  );

async function displayToken(scopes: string[]): Promise<string> {
  const res = await call(`${t.url}/api/v1/admin/display-tokens/`, {
    token: admin,
    body: { name: `panel ${scopes.join(' ')}`, scopes },
  });
  expect(res.status).toBe(201);
  return (res.body as { token: string }).token;
}

beforeAll(async () => {
  fakes = await startFakeMediaStack();
  t = await startTestServer({
    plexUrl: fakes.plex.url,
    plexToken: FAKE_CREDENTIALS.plexToken,
    upstreamTimeoutSeconds: 1,
    nowPlayingWsAuth: 'token',
  });
  admin = await t.login();
  const plex = t.server.mediaStack.get('plex');
  if (!plex) throw new Error('plex is not configured');
  expect((await plex.poller.refresh()).status).toBe('up');
});
afterAll(async () => {
  await t?.close();
  await fakes?.close();
});

describe('poster relay with MARQUEE_NOW_PLAYING_WS_AUTH=token', () => {
  const poster = (headers: Record<string, string> = {}) =>
    fetch(`${t.url}/api/media/upstream-poster/plex-12`, { headers });

  it('refuses a caller without credentials (401) before asking Plex', async () => {
    const before = posterHits();
    const res = await poster();
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    // Nor does an unknown session tell a stranger that it is unknown.
    const unknown = await fetch(`${t.url}/api/media/upstream-poster/plex-999`);
    expect(unknown.status).toBe(401);
    const bad = await poster({ authorization: 'Bearer not-a-token' });
    expect(bad.status).toBe(401);
    expect(posterHits()).toBe(before);
  });

  it('refuses a display token scoped to another surface (403)', async () => {
    const res = await poster({ authorization: `Bearer ${await displayToken(['gpu'])}` });
    expect(res.status).toBe(403);
  });

  it('relays to a now-playing display token, a signed-in user and a session cookie', async () => {
    const display = await displayToken(['now-playing']);
    for (const headers of [
      { authorization: `Bearer ${display}` },
      { authorization: `Bearer ${admin}` },
    ]) {
      const res = await poster(headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    }
    const signIn = await fetch(`${t.url}/api/v1/auth/session/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(signIn.status).toBeLessThan(300);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^marquee_session=/);
    expect((await poster({ cookie })).status).toBe(200);
  });
});
