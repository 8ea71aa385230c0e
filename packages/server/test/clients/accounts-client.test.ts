/**
 * The SDK's AccountsClient and the signage admin client's pairing calls against a real server on
 * port 0: sign-in answers (the cookie itself is a browser's business, tested in the console's
 * Chromium test), who am I, users created, disabled and deleted, a taken name refused as
 * CONFLICT, display tokens created, listed without their secret, usable, and revoked, one's own
 * password changed, and a pairing code listed, approved (the TV receives its account) or
 * rejected.
 */
import {
  createAccountsClient,
  createSignageAdminClient,
  MarqueeError,
  type AccountsClient,
} from '@marquee/sdk';
import { pairDevice } from '@marquee/sdk/device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';

let t: TestServer;
let accounts: AccountsClient;

beforeAll(async () => {
  t = await startTestServer();
  const token = await t.login();
  accounts = createAccountsClient({ baseUrl: t.url, token });
});
afterAll(() => t.close());

async function failure(promise: Promise<unknown>): Promise<MarqueeError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MarqueeError);
  return error as MarqueeError;
}

describe('AccountsClient', () => {
  it('signs in (and refuses a wrong password) and says who the token belongs to', async () => {
    const anonymous = createAccountsClient({ baseUrl: t.url });
    expect(await anonymous.signIn(t.admin)).toMatchObject({
      kind: 'user',
      username: t.admin.username,
      role: 'admin',
    });
    const wrong = await failure(anonymous.signIn({ ...t.admin, password: 'wrong-password' }));
    expect(wrong.status).toBe(400);
    expect((await failure(anonymous.me())).status).toBe(401);
    expect(await accounts.me()).toMatchObject({ kind: 'user', role: 'admin' });
    await anonymous.signOut();
  });

  it('creates, lists, disables and deletes users; a taken name is a CONFLICT', async () => {
    const created = await accounts.createUser({ username: 'wall', role: 'viewer' });
    expect(created.password).toMatch(/.{8,}/);
    expect((await accounts.listUsers('viewer')).results.map((u) => u.username)).toEqual(['wall']);
    const taken = await failure(accounts.createUser({ username: 'wall', role: 'viewer' }));
    expect([taken.code, taken.status]).toEqual(['CONFLICT', 409]);
    expect((await accounts.updateUser(created.id, { disabled: true })).disabled).toBe(true);
    const viewer = createAccountsClient({ baseUrl: t.url });
    const refused = await failure(
      viewer.signIn({ username: 'wall', password: created.password ?? '' }),
    );
    expect(refused.status).toBe(400);
    await accounts.deleteUser(created.id);
    expect((await accounts.listUsers('viewer')).count).toBe(0);
  });

  it('creates a display token (secret shown once), which reads and then is revoked', async () => {
    const token = await accounts.createDisplayToken({ name: 'Hall panel' });
    expect(token.scopes).toEqual(['now-playing']);
    const listed = await accounts.listDisplayTokens();
    expect(listed.map((d) => [d.name, d.revoked_at])).toEqual([['Hall panel', null]]);
    expect(JSON.stringify(listed)).not.toContain(token.token);
    const display = createAccountsClient({ baseUrl: t.url, token: token.token });
    expect(await display.me()).toMatchObject({ kind: 'display', name: 'Hall panel' });
    await accounts.revokeDisplayToken(token.id);
    expect((await failure(display.me())).status).toBe(401);
    expect((await accounts.listDisplayTokens())[0]?.revoked_at).not.toBeNull();
    // Refused by the schema before anything is sent.
    await expect(accounts.createDisplayToken({ name: ' ' })).rejects.toThrow();
    expect(await accounts.listDisplayTokens()).toHaveLength(1);
  });

  it("changes one's own password; the old one stops working", async () => {
    await accounts.createUser({ username: 'ops', role: 'operator', password: 'first-password' });
    const anonymous = createAccountsClient({ baseUrl: t.url });
    await anonymous.signIn({ username: 'ops', password: 'first-password' });
    const login = await fetch(`${t.url}/api/v1/auth/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ops', password: 'first-password' }),
    });
    const { access } = (await login.json()) as { access: string };
    const ops = createAccountsClient({ baseUrl: t.url, token: access });
    const wrong = await failure(
      ops.changePassword({ current_password: 'nope', new_password: 'second-password' }),
    );
    expect(wrong.status).toBe(400);
    await ops.changePassword({
      current_password: 'first-password',
      new_password: 'second-password',
    });
    expect(
      (await failure(anonymous.signIn({ username: 'ops', password: 'first-password' }))).status,
    ).toBe(400);
    expect(await anonymous.signIn({ username: 'ops', password: 'second-password' })).toMatchObject({
      role: 'operator',
    });
  });
});

describe('SignageAdminClient pairing', () => {
  it('lists a pending code, approves it (the TV gets its account) and rejects another', async () => {
    const admin = createSignageAdminClient({ baseUrl: t.url, credentials: t.admin });
    let shown: (code: string) => void = () => {};
    const code = new Promise<string>((resolve) => (shown = resolve));
    const controller = new AbortController();
    const paired = pairDevice({
      baseUrl: t.url,
      request: { hint: 'Lobby' },
      onCode: (value) => shown(value),
      signal: controller.signal,
      backoff: { initialMs: 10, maxMs: 50 },
    });
    const first = await code;
    const pending = await admin.listPairings();
    expect(pending.results.map((p) => [p.code, p.hint])).toEqual([[first, 'Lobby']]);
    const approved = await admin.approvePairing(first, { sn_number: 'TV-9', name: 'Lobby' });
    expect(approved).toMatchObject({ code: first, sn_number: 'TV-9', name: 'Lobby' });
    expect(await paired).toMatchObject({ snNumber: 'TV-9', name: 'Lobby' });
    expect((await admin.listPairings()).count).toBe(0);

    const started = await fetch(`${t.url}/api/v1/cloud/pairing/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { code: second } = (await started.json()) as { code: string };
    await admin.rejectPairing(second);
    const gone = await failure(admin.rejectPairing(second));
    expect(gone.status).toBe(404);
    controller.abort();
  });
});
