import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MarqueeError } from '../../src/errors';
import { createHttpClient } from '../../src/transport/http-client';
import { TokenManager, type TokenSet } from '../../src/transport/token-manager';
import { json, startHttp } from './http-server';

const MINUTE = 60_000;

/**
 * A fake of seed 002's auth: login and refresh issue rotating pairs, a protected route accepts
 * only the newest access token. Counters tell how often each endpoint was hit.
 */
async function startAuthServer(options: { expiresIn?: number } = {}) {
  const state = {
    issued: 0,
    access: new Set<string>(),
    refresh: new Set<string>(),
    calls: { login: 0, refresh: 0, protected: 0 },
    /** The protected route answers 401 whatever the token. */
    alwaysUnauthorized: false,
  };
  const issue = () => {
    const n = ++state.issued;
    state.access.clear();
    state.access.add(`access-${n}`);
    state.refresh.add(`refresh-${n}`);
    return {
      access: `access-${n}`,
      refresh: `refresh-${n}`,
      expires_in: options.expiresIn ?? 3600,
    };
  };
  const server = await startHttp(async (req, res) => {
    const body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    if (req.url === '/api/v1/auth/token/') {
      state.calls.login++;
      if (body.password !== 'secret') {
        json(res, 400, { message: 'Invalid username or password', status_code: 400 });
      } else json(res, 200, issue());
    } else if (req.url === '/api/v1/auth/token/refresh/') {
      state.calls.refresh++;
      // A little latency so concurrent callers really overlap.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const token = typeof body.refresh === 'string' ? body.refresh : '';
      if (!state.refresh.delete(token)) {
        json(res, 401, { message: 'Token is invalid or expired', status_code: 401 });
      } else json(res, 200, issue());
    } else {
      state.calls.protected++;
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (state.alwaysUnauthorized || !state.access.has(token)) {
        json(res, 401, { message: 'Token has expired', status_code: 401 });
      } else json(res, 200, { ok: true, token });
    }
  });
  return { ...server, state };
}

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const Protected = z.object({ ok: z.literal(true), token: z.string() });

/** A pair whose access token the server no longer accepts, but whose refresh token it does. */
function stalePair(server: Awaited<ReturnType<typeof startAuthServer>>): TokenSet {
  server.state.refresh.add('refresh-seed');
  return { access: 'stale', refresh: 'refresh-seed', issuedAt: 0, expiresAt: 3600_000 };
}

describe('TokenManager + HTTP helper', () => {
  it('refreshes once on 401 and the retry succeeds', async () => {
    const server = await startAuthServer();
    const auth = new TokenManager({ baseUrl: server.url, tokens: stalePair(server), now: () => 0 });
    const http = createHttpClient({ baseUrl: server.url, auth });

    const result = await http.request({ path: '/api/v1/protected', schema: Protected });
    expect(result).toEqual({ ok: true, token: 'access-1' });
    expect(server.state.calls).toEqual({ login: 0, refresh: 1, protected: 2 });
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer access-1');
  });

  it('gives UNAUTHORIZED on a second 401 instead of looping', async () => {
    const server = await startAuthServer();
    server.state.alwaysUnauthorized = true;
    const auth = new TokenManager({ baseUrl: server.url, tokens: stalePair(server), now: () => 0 });
    const http = createHttpClient({ baseUrl: server.url, auth });

    const error = await http.request({ path: '/api/v1/protected' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarqueeError);
    expect(error).toMatchObject({
      code: 'UNAUTHORIZED',
      status: 401,
      message: 'Token has expired',
    });
    expect(server.state.calls).toEqual({ login: 0, refresh: 1, protected: 2 });
  });

  it('shares one refresh between concurrent requests that all got 401', async () => {
    const server = await startAuthServer();
    const auth = new TokenManager({ baseUrl: server.url, tokens: stalePair(server), now: () => 0 });
    const http = createHttpClient({ baseUrl: server.url, auth });

    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        http.request({ path: '/api/v1/protected', schema: Protected }),
      ),
    );
    expect(results.map((r) => r.token)).toEqual(Array(5).fill('access-1'));
    expect(server.state.calls.refresh).toBe(1);
  });

  it('signs in lazily with configured credentials', async () => {
    const server = await startAuthServer();
    const auth = new TokenManager({
      baseUrl: server.url,
      credentials: { username: 'tv', password: 'secret' },
    });
    const http = createHttpClient({ baseUrl: server.url, auth });
    await expect(http.request({ path: '/api/v1/protected', schema: Protected })).resolves.toEqual({
      ok: true,
      token: 'access-1',
    });
    expect(server.state.calls).toEqual({ login: 1, refresh: 0, protected: 1 });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      username: 'tv',
      password: 'secret',
    });
  });
});

describe('TokenManager', () => {
  it('refreshes before expiry, by the injected clock', async () => {
    const server = await startAuthServer(); // expires_in 3600 s
    const time = clock(1_000_000);
    const seen: Array<TokenSet | undefined> = [];
    const auth = new TokenManager({
      baseUrl: server.url,
      now: time.now,
      onTokens: (tokens) => seen.push(tokens),
    });
    await auth.login({ username: 'tv', password: 'secret' });
    expect(auth.tokens).toEqual({
      access: 'access-1',
      refresh: 'refresh-1',
      issuedAt: 1_000_000,
      expiresAt: 1_000_000 + 3600_000,
    });

    time.advance(54 * MINUTE); // 6 minutes left: outside the 5-minute skew
    await expect(auth.getAccessToken()).resolves.toBe('access-1');
    expect(server.state.calls.refresh).toBe(0);

    time.advance(2 * MINUTE); // 4 minutes left: refresh first
    await expect(auth.getAccessToken()).resolves.toBe('access-2');
    expect(server.state.calls.refresh).toBe(1);
    expect(JSON.parse(server.requests.at(-1)?.body ?? '')).toEqual({ refresh: 'refresh-1' });
    expect(seen.map((t) => t?.access)).toEqual(['access-1', 'access-2']);
  });

  it('honours refreshSkewMs, but never more than half the lifetime', async () => {
    const server = await startAuthServer({ expiresIn: 60 });
    const time = clock();
    const auth = new TokenManager({
      baseUrl: server.url,
      now: time.now,
      refreshSkewMs: 5 * MINUTE,
    });
    await auth.login({ username: 'tv', password: 'secret' });

    time.advance(29_000); // a 60 s token is not "due" straight away despite the 5-minute skew
    await auth.getAccessToken();
    expect(server.state.calls.refresh).toBe(0);
    time.advance(2_000);
    await auth.getAccessToken();
    expect(server.state.calls.refresh).toBe(1);
  });

  it('deduplicates concurrent refreshes', async () => {
    const server = await startAuthServer();
    const time = clock();
    const auth = new TokenManager({ baseUrl: server.url, now: time.now });
    await auth.login({ username: 'tv', password: 'secret' });
    time.advance(59 * MINUTE);

    const tokens = await Promise.all([
      auth.getAccessToken(),
      auth.getAccessToken(),
      auth.refresh(),
      auth.getAccessToken(),
    ]);
    expect(tokens).toEqual(['access-2', 'access-2', undefined, 'access-2']);
    expect(server.state.calls.refresh).toBe(1);
  });

  it('clears the pair and signs in again when the refresh token is rejected', async () => {
    const server = await startAuthServer();
    const auth = new TokenManager({
      baseUrl: server.url,
      credentials: () => Promise.resolve({ username: 'tv', password: 'secret' }),
      tokens: { access: 'old', refresh: 'revoked', issuedAt: 0, expiresAt: 1 },
      now: () => 10,
    });
    await expect(auth.getAccessToken()).resolves.toBe('access-1');
    expect(server.state.calls).toEqual({ login: 1, refresh: 1, protected: 0 });
  });

  it('fails with UNAUTHORIZED when the refresh token is rejected and there are no credentials', async () => {
    const server = await startAuthServer();
    const seen: Array<TokenSet | undefined> = [];
    const auth = new TokenManager({
      baseUrl: server.url,
      tokens: { access: 'old', refresh: 'revoked', issuedAt: 0, expiresAt: 1 },
      now: () => 10,
      onTokens: (tokens) => seen.push(tokens),
    });
    const error = await auth.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarqueeError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect(auth.tokens).toBeUndefined();
    expect(seen).toEqual([undefined]);
    // Without tokens or credentials, requests simply go out unauthenticated.
    await expect(auth.getAccessToken()).resolves.toBeUndefined();
  });

  it('reports a rejected login as INVALID_CREDENTIALS', async () => {
    const server = await startAuthServer();
    const auth = new TokenManager({ baseUrl: server.url });
    await expect(auth.login({ username: 'tv', password: 'wrong' })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
      status: 400,
      message: 'Invalid username or password',
    });
  });

  it('keeps the pair when the refresh fails for network reasons', async () => {
    const pair: TokenSet = { access: 'a', refresh: 'r', issuedAt: 0, expiresAt: 1 };
    const auth = new TokenManager({
      baseUrl: 'http://marquee.test',
      tokens: pair,
      now: () => 10,
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'NETWORK' });
    expect(auth.tokens).toBe(pair);
  });
});
