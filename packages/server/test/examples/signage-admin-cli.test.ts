/**
 * Runs examples/signage-admin-cli as a real child process against a real test server: it lists
 * devices and playlists, and sends a command that examples/signage-device-cli (another child
 * process, the TV) acks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killExamples, runExample, untilOutput } from '../helpers/example-process';
import { ADMIN, login, startTestServer, type TestServer } from '../helpers/server';
import { createPlaylist, jpegBytes, register, uploadMedia, userToken } from '../signage/helpers';

const WAIT = { timeout: 30_000, interval: 50 } as const;
const caches = mkdtempSync(join(tmpdir(), 'marquee-example-admin-'));
let t: TestServer | undefined;

afterEach(async () => {
  killExamples();
  await t?.close();
  t = undefined;
});
afterAll(() => rmSync(caches, { recursive: true, force: true }));

const asAdmin = { MARQUEE_USERNAME: ADMIN.username, MARQUEE_PASSWORD: ADMIN.password };
const admin = (args: readonly string[], env: Record<string, string> = asAdmin) =>
  runExample('signage-admin-cli/main.ts', [t!.url, ...args], env);

describe('examples/signage-admin-cli', { timeout: 90_000 }, () => {
  it('lists devices and playlists', async () => {
    t = await startTestServer();
    const token = await login(t.url);
    const image = await uploadMedia(t, token, 'welcome.jpg', jpegBytes(3000), 'image/jpeg');
    const playlist = await createPlaylist(t, token, {
      name: 'Lobby',
      width: 1920,
      height: 1080,
      media_items: [{ media_id: image.media_id }],
    });
    await register(t, await userToken(t, 'tv-admin-cli'), 'SN-LIST');

    const devices = admin(['devices']);
    expect(await devices.exited, devices.stderr()).toBe(0);
    expect(devices.stdout()).toMatch(
      /^1 device\n {2}SN-LIST "[^"]+" offline, last seen never, app \S+\n$/,
    );
    const playlists = admin(['playlists']);
    expect(await playlists.exited, playlists.stderr()).toBe(0);
    expect(playlists.stdout()).toBe(`1 playlist\n  ${playlist.id} "Lobby" 1920×1080, 1 item\n`);
  });

  it('sends a command that the device acks, and waits for the ack', async () => {
    t = await startTestServer();
    await t.server.auth.createUser({
      username: 'tv-cli',
      password: 'device-password-1',
      role: 'device',
    });
    const tv = runExample(
      'signage-device-cli/main.ts',
      [
        ...['--sn', 'SN-ACK', '--username', 'tv-cli', '--password', 'device-password-1'],
        ...['--cache-dir', join(caches, 'SN-ACK')],
      ],
      { MARQUEE_URL: t.url },
    );
    await untilOutput(
      tv,
      () => expect(tv.stderr()).toContain(`[online] ${t!.url} as SN-ACK`),
      WAIT,
    );

    const run = admin(['send', 'SN-ACK', 'pause', '--wait']);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/^Command pause to SN-ACK: \S+\nacked\n$/);
    await untilOutput(tv, () => expect(tv.stdout()).toContain('Command pause: done, acked\n'));
  });

  it('exits 1 when the device never acks or the account is refused, 2 on a wrong line', async () => {
    t = await startTestServer();
    await register(t, await userToken(t, 'tv-admin-cli'), 'SN-OFF');
    const queued = admin(['send', 'SN-OFF', 'next', '--wait', '--timeout', '300']);
    expect(await queued.exited).toBe(1);
    expect(queued.stdout()).toMatch(/^Command next to SN-OFF: \S+\nstill queued after 300 ms\n$/);

    const refused = admin(['devices'], {
      MARQUEE_USERNAME: 'admin',
      MARQUEE_PASSWORD: 'wrong-one',
    });
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toMatch(/^INVALID_CREDENTIALS: /);

    const typo = admin(['send', 'SN-OFF', 'reboto']);
    expect(await typo.exited).toBe(2);
    expect(typo.stderr()).toContain('reboto is not an action that needs no parameters');
  });
});
