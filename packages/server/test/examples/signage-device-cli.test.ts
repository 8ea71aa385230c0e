/**
 * Runs examples/signage-device-cli as a real child process against a real test server: it signs
 * in as a device (or pairs), downloads and verifies its playlist's media, prints the playlist and
 * acks commands, which the admin API then shows as acked.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { killExamples, runExample, untilOutput } from '../helpers/example-process';
import { call, login, startTestServer, type TestServer } from '../helpers/server';
import {
  ADMIN_API,
  createPlaylist,
  getCommand,
  jpegBytes,
  putScreen,
  register,
  sendCommand,
  uploadMedia,
  userToken,
} from '../signage/helpers';

const WAIT = { timeout: 30_000, interval: 50 } as const;
const caches = mkdtempSync(join(tmpdir(), 'marquee-example-device-'));
let t: TestServer | undefined;

afterEach(async () => {
  killExamples();
  await t?.close();
  t = undefined;
});
afterAll(() => rmSync(caches, { recursive: true, force: true }));

/** A server with a device account `tv-cli` and a one-image playlist; returns the admin token. */
async function serverWithPlaylist(): Promise<{
  admin: string;
  playlistId: number;
  mediaId: number;
}> {
  t = await startTestServer();
  const admin = await login(t.url);
  const image = await uploadMedia(t, admin, 'welcome.jpg', jpegBytes(3000), 'image/jpeg');
  const playlist = await createPlaylist(t, admin, {
    name: 'Lobby',
    width: 1920,
    height: 1080,
    media_items: [{ media_id: image.media_id }],
  });
  return { admin, playlistId: playlist.id, mediaId: image.media_id };
}

const device = (sn: string) => [
  '--sn',
  sn,
  '--username',
  'tv-cli',
  '--password',
  'device-password-1',
  '--cache-dir',
  join(caches, sn),
];

describe('examples/signage-device-cli', { timeout: 90_000 }, () => {
  it('--once prints the first playlist whose media are cached and exits 0', async () => {
    const { admin, playlistId, mediaId } = await serverWithPlaylist();
    const tv = await userToken(t!, 'tv-cli');
    await register(t!, tv, 'SN-ONCE');
    await putScreen(t!, admin, 'SN-ONCE', 'front', {
      screen_name: 'Front',
      resolution: '1920x1080',
      playlist_ids: [playlistId],
    });
    const run = runExample('signage-device-cli/main.ts', [t!.url, ...device('SN-ONCE'), '--once']);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toBe(
      'Media welcome.jpg (3000 bytes): downloaded, MD5 verified\n' +
        `Playlist ${playlistId} "Lobby" on the front screen: 1920×1080, 1 item, 10 s, repeats forever\n` +
        '  1. welcome.jpg [image] 10 s at 0,0 1920×1080 z1\n',
    );
    expect(readdirSync(join(caches, 'SN-ONCE'))).toContain(`${mediaId}_welcome.jpg`);
  });

  it('shows a playlist assigned while it runs and acks the commands it is sent', async () => {
    const { admin, playlistId } = await serverWithPlaylist();
    await t!.server.auth.createUser({
      username: 'tv-cli',
      password: 'device-password-1',
      role: 'device',
    });
    const run = runExample('signage-device-cli/main.ts', device('SN-LIVE'), {
      MARQUEE_URL: t!.url,
    });
    await untilOutput(
      run,
      () => expect(run.stderr()).toContain(`[online] ${t!.url} as SN-LIVE`),
      WAIT,
    );
    await putScreen(t!, admin, 'SN-LIVE', 'front', {
      screen_name: 'Front',
      resolution: '1920x1080',
      playlist_ids: [playlistId],
    });
    const reload = await sendCommand(t!, admin, 'SN-LIVE', { action: 'reload_playlist' });
    await untilOutput(
      run,
      () => expect(run.stdout()).toContain(`Playlist ${playlistId} "Lobby" on the front screen`),
      WAIT,
    );
    const volume = await sendCommand(t!, admin, 'SN-LIVE', { action: 'set_volume', volume: 30 });
    await untilOutput(
      run,
      () => expect(run.stdout()).toContain('Command set_volume {"volume":30}: done, acked\n'),
      WAIT,
    );
    expect(run.stdout()).toContain('Command reload_playlist: done, acked\n');
    for (const id of [reload, volume]) {
      await vi.waitFor(
        async () => expect((await getCommand(t!, admin, id)).state).toBe('acked'),
        WAIT,
      );
    }
  });

  it('--pair shows a code, and once an operator approves it runs as the device they named', async () => {
    t = await startTestServer();
    const admin = await login(t.url);
    const run = runExample('signage-device-cli/main.ts', [
      t.url,
      '--pair',
      '--cache-dir',
      join(caches, 'paired'),
    ]);
    let code = '';
    await untilOutput(
      run,
      () => {
        code = /Pairing code (\S+) \(approve it within \d+ s\)/.exec(run.stdout())?.[1] ?? '';
        expect(code).not.toBe('');
      },
      WAIT,
    );
    const approved = await call(`${t.url}${ADMIN_API}/pairing/${code}/approve/`, {
      token: admin,
      body: { sn_number: 'SN-PAIRED', name: 'Reception' },
    });
    expect(approved.status).toBe(200);
    await untilOutput(
      run,
      () => expect(run.stdout()).toContain('Paired as "Reception" (SN-PAIRED)\n'),
      WAIT,
    );
    await untilOutput(
      run,
      () => expect(run.stderr()).toContain(`[online] ${t!.url} as SN-PAIRED`),
      WAIT,
    );
  });

  it('refuses to start without an account or --pair (exit 2)', async () => {
    const run = runExample('signage-device-cli/main.ts', ['http://127.0.0.1:1']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('Usage: main.ts [url]');
  });
});
