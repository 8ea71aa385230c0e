import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MarqueeError } from '@marquee/sdk';
import { type AuthPolicy } from '@marquee/sdk/protocol';
import { decodeJwt } from 'jose';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AuthLogger,
  type AuthService,
  type Identity,
  SESSION_COOKIE_NAME,
  authenticateRequest,
  authorize,
  createAuthService,
  credentialsFromRequest,
  hashPassword,
  verifyPassword,
} from '../../src/core/auth/index';
import { type ConfigInput, ConfigSchema } from '../../src/core/config';
import { type Role, type Store, openStore } from '../../src/core/store/index';

let dir: string;
let clock: Date;
const now = () => clock;
const stores: Store[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'marquee-auth-'));
  clock = new Date('2025-01-01T00:00:00.000Z');
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

function advance(seconds: number): void {
  clock = new Date(clock.getTime() + seconds * 1000);
}

async function setup(
  overrides: ConfigInput = { adminPassword: 'correct horse' },
): Promise<{ store: Store; auth: AuthService }> {
  const config = ConfigSchema.parse({ dataDir: dir, ...overrides });
  const store = await openStore(config, { now });
  stores.push(store);
  return { store, auth: createAuthService({ store, config, now }) };
}

async function caught(promise: Promise<unknown>): Promise<MarqueeError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MarqueeError))
    throw new Error(`expected a MarqueeError, got ${String(error)}`);
  return error;
}

describe('passwords', () => {
  it('round-trips and rejects a wrong password', async () => {
    const hash = await hashPassword('s3cret');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await hashPassword('s3cret')).not.toBe(hash); // fresh salt
    expect(await verifyPassword('s3cret', hash)).toBe(true);
    expect(await verifyPassword('S3cret', hash)).toBe(false);
  });

  it('answers false, never throws, for malformed hashes', async () => {
    const good = await hashPassword('x');
    const [, , , , salt = '', hash = ''] = good.split('$');
    for (const bad of [
      '',
      'plain',
      'bcrypt$16384$8$1$a$b',
      `scrypt$16384$8$1$${salt}`,
      `scrypt$16385$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$${2 ** 30}$8$1$${salt}$${hash}`, // N beyond the bound
      `scrypt$16384$0$1$${salt}$${hash}`,
      `scrypt$16384$8$1$!!!$${hash}`,
      `scrypt$16384$8$1$${salt}$${hash}$extra`,
    ]) {
      expect(await verifyPassword('x', bad), bad).toBe(false);
    }
  });
});

describe('bootstrap', () => {
  it('creates the admin with a generated password exactly once', async () => {
    const { store, auth } = await setup({});
    const first = await auth.bootstrap();
    expect(first.createdAdmin).toBe(true);
    expect(first.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const [admin] = await store.users.list();
    expect(admin).toMatchObject({ username: 'admin', role: 'admin' });
    await expect(auth.login('admin', first.generatedPassword ?? '')).resolves.toBeTruthy();

    const second = await auth.bootstrap();
    expect(second).toEqual({ createdAdmin: false, adminPasswordReset: false });
    expect(await store.users.count()).toBe(1);
  });

  it('uses the configured password, and the configured password wins after a change', async () => {
    const { store, auth } = await setup({ adminUsername: 'root', adminPassword: 'first pw' });
    expect(await auth.bootstrap()).toEqual({ createdAdmin: true, adminPasswordReset: false });
    expect(await auth.bootstrap()).toEqual({ createdAdmin: false, adminPasswordReset: false });
    await auth.login('root', 'first pw');
    await store.close();

    const next = await setup({ adminUsername: 'root', adminPassword: 'second pw' });
    expect(await next.auth.bootstrap()).toEqual({ createdAdmin: false, adminPasswordReset: true });
    await next.auth.login('root', 'second pw');
    expect((await caught(next.auth.login('root', 'first pw'))).code).toBe('INVALID_CREDENTIALS');
  });

  it('persists the generated JWT secret: a token from one instance verifies in the next', async () => {
    const first = await setup();
    await first.auth.bootstrap();
    const pair = await first.auth.login('admin', 'correct horse');
    const secret = await first.store.settings.get('jwt_secret');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await first.store.close();

    const second = await setup();
    await second.auth.bootstrap();
    expect(await second.store.settings.get('jwt_secret')).toBe(secret);
    await expect(second.auth.authenticate(pair.access)).resolves.toMatchObject({
      kind: 'user',
      username: 'admin',
      role: 'admin',
    });
  });

  it('two instances sharing one store agree on the generated secret', async () => {
    const a = await setup();
    const b = await setup();
    await Promise.all([a.auth.bootstrap(), b.auth.bootstrap()]);
    expect(await a.store.users.count()).toBe(1);
    const pair = await a.auth.login('admin', 'correct horse');
    await expect(b.auth.authenticate(pair.access)).resolves.toMatchObject({ kind: 'user' });
  });

  it('uses config.jwtSecret without storing it', async () => {
    const { store, auth } = await setup({ adminPassword: 'pw', jwtSecret: 'x'.repeat(32) });
    await auth.bootstrap();
    await auth.login('admin', 'pw');
    expect(await store.settings.get('jwt_secret')).toBeUndefined();
  });
});

describe('login and refresh', () => {
  it('issues seed 002 token pairs', async () => {
    const { auth } = await setup({ adminPassword: 'pw', accessTokenTtlSeconds: 900 });
    await auth.bootstrap();
    const pair = await auth.login('ADMIN', 'pw');
    expect(Object.keys(pair).sort()).toEqual(['access', 'expires_in', 'refresh']);
    expect(pair.expires_in).toBe(900);
    expect(decodeJwt(pair.access)).toEqual({
      sub: '1',
      username: 'admin',
      role: 'admin',
      ver: 0,
      typ: 'access',
      iss: 'marquee',
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      iat: clock.getTime() / 1000,
      exp: clock.getTime() / 1000 + 900,
    });
    expect(decodeJwt(pair.refresh)).toMatchObject({ typ: 'refresh', sub: '1' });
    expect(pair.access).not.toBe(pair.refresh);
    expect(await auth.authenticate(pair.access)).toEqual({
      kind: 'user',
      userId: 1,
      username: 'admin',
      role: 'admin',
    });
  });

  it('rejects a wrong password and an unknown user alike: INVALID_CREDENTIALS, 400', async () => {
    const { auth } = await setup();
    await auth.bootstrap();
    // One at a time: a second attempt started before the first is awaited could reject unhandled.
    for (const [username, password] of [
      ['admin', 'wrong'],
      ['nobody', 'correct horse'],
    ] as const) {
      const error = await caught(auth.login(username, password));
      expect(error).toMatchObject({
        code: 'INVALID_CREDENTIALS',
        status: 400,
        message: 'Invalid username or password',
      });
    }
  });

  it('refreshes to a new pair, and refuses access tokens, garbage and expired tokens with 401', async () => {
    const { auth } = await setup({ adminPassword: 'correct horse', refreshTokenTtlSeconds: 3600 });
    await auth.bootstrap();
    const pair = await auth.login('admin', 'correct horse');
    advance(1);
    const next = await auth.refresh(pair.refresh);
    expect(next.access).not.toBe(pair.access);
    expect(next.refresh).not.toBe(pair.refresh);
    await expect(auth.authenticate(next.access)).resolves.toMatchObject({ username: 'admin' });

    // Tampered in the middle of the signature: its last character carries unused bits, so a
    // changed ending can decode to the very same signature.
    const at = pair.refresh.length - 10;
    const flipped = pair.refresh[at] === 'A' ? 'B' : 'A';
    const tampered = `${pair.refresh.slice(0, at)}${flipped}${pair.refresh.slice(at + 1)}`;
    for (const bad of [pair.access, 'garbage', '', tampered]) {
      expect(await caught(auth.refresh(bad))).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    }
    advance(3600);
    const expired = await caught(auth.refresh(next.refresh));
    expect(expired).toMatchObject({
      code: 'UNAUTHORIZED',
      status: 401,
      message: 'Invalid or expired refresh token',
    });
  });

  it('refuses a token signed with another secret', async () => {
    const a = await setup({ adminPassword: 'pw', jwtSecret: 'a'.repeat(32) });
    await a.auth.bootstrap();
    const pair = await a.auth.login('admin', 'pw');
    const other = createAuthService({
      store: a.store,
      config: ConfigSchema.parse({ adminPassword: 'pw', jwtSecret: 'b'.repeat(32) }),
      now,
    });
    expect(await caught(other.authenticate(pair.access))).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('authenticate', () => {
  it('reports an expired access token as TOKEN_EXPIRED "Token has expired"', async () => {
    const { auth } = await setup({ adminPassword: 'pw', accessTokenTtlSeconds: 60 });
    await auth.bootstrap();
    const { access } = await auth.login('admin', 'pw');
    advance(59);
    await expect(auth.authenticate(access)).resolves.toMatchObject({ kind: 'user' });
    advance(1);
    expect(await caught(auth.authenticate(access))).toMatchObject({
      code: 'TOKEN_EXPIRED',
      status: 401,
      message: 'Token has expired',
    });
  });

  it('refuses refresh tokens, garbage and tokens of deleted users', async () => {
    const { store, auth } = await setup();
    await auth.bootstrap();
    const pair = await auth.login('admin', 'correct horse');
    expect(await caught(auth.authenticate(pair.refresh))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await caught(auth.authenticate('nope'))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await caught(auth.authenticate('mqd_short'))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await caught(auth.authenticate('mqs_short'))).toMatchObject({ code: 'UNAUTHORIZED' });

    const bob = await auth.createUser({ username: 'bob', password: 'pw', role: 'operator' });
    const bobs = await auth.login('bob', 'pw');
    await expect(auth.authenticate(bobs.access)).resolves.toEqual(bob);
    // Another connection removes bob, as an admin tool would; the store is not mocked.
    const raw = new DatabaseSync(join(dir, 'marquee.db'));
    raw.prepare('DELETE FROM users WHERE id = ?').run(bob.userId);
    raw.close();
    expect(await caught(auth.authenticate(bobs.access))).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'User no longer exists',
    });
    expect(await caught(auth.refresh(bobs.refresh))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await store.users.count()).toBe(1);
  });
});

describe('display tokens', () => {
  it('creates (shown once, stored hashed), verifies, lists and revokes immediately', async () => {
    const { store, auth } = await setup();
    await auth.bootstrap();
    const revoked: string[] = [];
    const unsubscribe = auth.onRevoked((id) => revoked.push(id));

    const { token, record } = await auth.createDisplayToken({
      name: 'Kitchen panel',
      scopes: ['now-playing'],
      createdBy: 1,
    });
    expect(token).toMatch(/^mqd_[A-Za-z0-9_-]{43}$/);
    expect(record.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await store.displayTokens.list())).not.toContain(token.slice(4));

    expect(await auth.authenticate(token)).toEqual({
      kind: 'display',
      tokenId: record.id,
      name: 'Kitchen panel',
      scopes: ['now-playing'],
    });
    expect(await auth.listDisplayTokens()).toHaveLength(1);

    expect(await auth.revokeDisplayToken(record.id)).toBe(true);
    expect(revoked).toEqual([record.id]);
    expect(await caught(auth.authenticate(token))).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Display token has been revoked',
    });
    expect(await auth.revokeDisplayToken('unknown')).toBe(false);
    unsubscribe();
    await auth.revokeDisplayToken(record.id);
    expect(revoked).toEqual([record.id]);

    const forged = `mqd_${'A'.repeat(43)}`;
    expect(await caught(auth.authenticate(forged))).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('touches lastUsedAt at most once per interval', async () => {
    const { store, auth } = await setup();
    await auth.bootstrap();
    const { token, record } = await auth.createDisplayToken({
      name: 'n',
      scopes: ['*'],
      createdBy: 1,
    });
    const lastUsed = async () => (await store.displayTokens.findById(record.id))?.lastUsedAt;

    await auth.authenticate(token);
    const first = clock.toISOString();
    expect(await lastUsed()).toBe(first);
    advance(30);
    await auth.authenticate(token);
    expect(await lastUsed()).toBe(first);
    advance(30);
    await auth.authenticate(token);
    expect(await lastUsed()).toBe(clock.toISOString());
  });

  it('keeps revoking when a listener throws', async () => {
    const { auth } = await setup();
    await auth.bootstrap();
    const heard: string[] = [];
    auth.onRevoked(() => {
      throw new Error('boom');
    });
    auth.onRevoked((id) => heard.push(id));
    const { record } = await auth.createDisplayToken({ name: 'n', scopes: [], createdBy: 1 });
    expect(await auth.revokeDisplayToken(record.id)).toBe(true);
    expect(heard).toEqual([record.id]);
  });
});

describe('browser sessions', () => {
  it('creates a 256-bit cookie session, verifies, expires and logs out', async () => {
    const { store, auth } = await setup({ adminPassword: 'pw', sessionExpiryHours: 2 });
    await auth.bootstrap();
    const user = await auth.verifyCredentials('admin', 'pw');
    const session = await auth.createSession(user.userId);
    expect(session.token).toMatch(/^mqs_[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt.toISOString()).toBe('2025-01-01T02:00:00.000Z');
    expect(await store.authSessions.findByHash(session.token)).toBeUndefined(); // stored hashed

    expect(auth.sessionCookie(session, { secure: false })).toEqual({
      name: SESSION_COOKIE_NAME,
      value: session.token,
      options: {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: false,
        maxAge: 7200,
        expires: session.expiresAt,
      },
    });

    await expect(auth.authenticate(session.token)).resolves.toEqual(user);
    advance(7199);
    await expect(auth.authenticate(session.token)).resolves.toEqual(user);
    advance(1);
    expect(await caught(auth.authenticate(session.token))).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Session has expired',
    });

    const second = await auth.createSession(user.userId);
    await expect(auth.authenticate(second.token)).resolves.toEqual(user);
    expect(await auth.logout(second.token)).toBe(true);
    expect(await auth.logout(second.token)).toBe(false);
    expect(await caught(auth.authenticate(second.token))).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('sessions survive a restart', async () => {
    const first = await setup();
    await first.auth.bootstrap();
    const session = await first.auth.createSession(1);
    await first.store.close();
    const second = await setup();
    await expect(second.auth.authenticate(session.token)).resolves.toMatchObject({ userId: 1 });
  });
});

describe('request credentials', () => {
  it('reads bearer, the session cookie and the token query parameter', () => {
    expect(
      credentialsFromRequest(
        { authorization: 'Bearer abc.def', cookie: `a=1; ${SESSION_COOKIE_NAME}=mqs_x%3D; b=2` },
        new URL('ws://h/ws/cloud/tb_device/?token=t1&sn_number=SN'),
      ),
    ).toEqual({ bearer: 'abc.def', cookie: 'mqs_x=', query: 't1' });
    expect(credentialsFromRequest({ authorization: 'Basic xyz', cookie: 'other=1' })).toEqual({});
    expect(credentialsFromRequest({}, new URL('http://h/?token='))).toEqual({});
    expect(credentialsFromRequest({ authorization: 'bearer  tok ' })).toEqual({ bearer: 'tok' });
  });

  it('authenticates the most explicit credential, or none', async () => {
    const { auth } = await setup();
    await auth.bootstrap();
    const { access } = await auth.login('admin', 'correct horse');
    const { token } = await auth.createDisplayToken({ name: 'd', scopes: ['*'], createdBy: 1 });

    expect(await authenticateRequest(auth, {})).toBeUndefined();
    await expect(
      authenticateRequest(auth, { bearer: access, cookie: 'stale' }),
    ).resolves.toMatchObject({ kind: 'user' });
    await expect(
      authenticateRequest(auth, { query: token, cookie: 'stale' }),
    ).resolves.toMatchObject({
      kind: 'display',
    });
    expect(await caught(authenticateRequest(auth, { cookie: 'stale' }))).toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});

describe('authorize', () => {
  const user = (role: Role, userId: number): Identity => ({
    kind: 'user',
    userId,
    username: role,
    role,
  });
  const scoped: Identity = { kind: 'display', tokenId: 't', name: 'd', scopes: ['now-playing'] };
  const wildcard: Identity = { kind: 'display', tokenId: 'w', name: 'd', scopes: ['*'] };

  type Outcome = 'ok' | 401 | 403;
  function outcome(policy: AuthPolicy, identity: Identity | undefined, scope?: string): Outcome {
    try {
      authorize(policy, identity, scope);
      return 'ok';
    } catch (error) {
      if (error instanceof MarqueeError && (error.status === 401 || error.status === 403)) {
        return error.status;
      }
      throw error;
    }
  }

  // Columns: nobody, viewer, operator, admin, device, display (its scope), display (another
  // scope), display (*), display (a route without a scope).
  const cases: [AuthPolicy, Outcome[]][] = [
    ['none', ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']],
    ['any', [401, 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']],
    ['user', [401, 'ok', 'ok', 'ok', 'ok', 403, 403, 403, 403]],
    ['display', [401, 'ok', 'ok', 'ok', 403, 'ok', 403, 'ok', 403]],
    ['viewer', [401, 'ok', 'ok', 'ok', 403, 403, 403, 403, 403]],
    ['operator', [401, 403, 'ok', 'ok', 403, 403, 403, 403, 403]],
    ['admin', [401, 403, 403, 'ok', 403, 403, 403, 403, 403]],
    ['device', [401, 403, 'ok', 'ok', 'ok', 403, 403, 403, 403]],
    ['proxy', [401, 403, 403, 403, 403, 403, 403, 403, 403]],
  ];

  it.each(cases)('%s', (policy, expected) => {
    expect([
      outcome(policy, undefined, 'now-playing'),
      outcome(policy, user('viewer', 2), 'now-playing'),
      outcome(policy, user('operator', 3), 'now-playing'),
      outcome(policy, user('admin', 1), 'now-playing'),
      outcome(policy, user('device', 4), 'now-playing'),
      outcome(policy, scoped, 'now-playing'),
      outcome(policy, scoped, 'monitoring'),
      outcome(policy, wildcard, 'monitoring'),
      outcome(policy, scoped),
    ]).toEqual(expected);
  });

  it('uses 401 for no identity and 403 for too little', () => {
    expect(() => authorize('admin', undefined)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => authorize('admin', user('operator', 2))).toThrow(
      expect.objectContaining({ status: 403 }),
    );
  });
});

describe('types', () => {
  it('accepts a pino logger', () => {
    expectTypeOf(pino({ level: 'silent' })).toExtend<AuthLogger>();
  });
});
