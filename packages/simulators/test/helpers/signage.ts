/**
 * Signage content for the TV tests, through the real server's admin API: a device account, a
 * library of two generated files in one playlist, and TVs registered by the admin and given a
 * front screen before they first start (so their startup flow already has something to fetch).
 */
import { createSignageAdminClient, type SignageAdminClient } from '@marquee/sdk';
import { assignPlaylist } from '../../src/index';
import { generatedFile } from '../../src/tv/provision';
import { ADMIN, type TestMarquee } from './marquee-server';

export const DEVICE_USER = { username: 'tv-fleet', password: 'device-password-1' } as const;

export interface Library {
  readonly admin: SignageAdminClient;
  readonly logo: { readonly mediaId: number; readonly bytes: Uint8Array; readonly name: string };
  readonly video: { readonly mediaId: number; readonly bytes: Uint8Array; readonly name: string };
  /** logo 5 s × 1, then video 10 s × 2, repeating. */
  readonly playlistId: number;
}

/** The device account and the library; call once per server. */
export async function setUpLibrary(marquee: TestMarquee): Promise<Library> {
  await marquee.server.auth.createUser({ ...DEVICE_USER, role: 'device' });
  const admin = createSignageAdminClient({ baseUrl: marquee.url, credentials: ADMIN });
  const logoBytes = generatedFile(6000, 1, 'jpeg');
  const videoBytes = generatedFile(96_000, 2, 'mp4');
  const logo = await admin.uploadMedia(logoBytes, {
    fileName: 'lobby-logo.jpg',
    contentType: 'image/jpeg',
  });
  const video = await admin.uploadMedia(videoBytes, {
    fileName: 'lobby-ad.mp4',
    contentType: 'video/mp4',
  });
  const playlist = await admin.createPlaylist({
    name: 'Lobby',
    width: 1920,
    height: 1080,
    media_items: [
      { media_id: logo.media_id, timing: { start_time: 0, duration: 5, loop: false } },
      {
        media_id: video.media_id,
        timing: { start_time: 0, duration: 10, loop: false },
        n_time_play: 2,
      },
    ],
  });
  return {
    admin,
    logo: { mediaId: logo.media_id, bytes: logoBytes, name: logo.media_name },
    video: { mediaId: video.media_id, bytes: videoBytes, name: video.media_name },
    playlistId: playlist.id,
  };
}

/** Registers `sn` as the admin (the TV's own account claims it on its first start). */
export async function registerTv(marquee: TestMarquee, sn: string): Promise<void> {
  const token = await marquee.login();
  const res = await fetch(`${marquee.url}/api/v1/admin/cloud/device/register/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      sn_number: sn,
      brand: 'Marquee',
      model: 'Simulated TV',
      manufacturer: 'Marquee',
      os_version: 'Android 11',
      screen_resolution: '1920x1080',
      total_storage: '32GB',
      free_storage: '20GB',
      app_version: '1.0.0',
    }),
  });
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`register ${sn} failed: ${res.status} ${await res.text()}`);
  }
}

/** A TV that will find the library's playlist on its front screen when it starts. */
export async function provisionTv(
  marquee: TestMarquee,
  library: Library,
  sn: string,
): Promise<void> {
  await registerTv(marquee, sn);
  await assignPlaylist(library.admin, sn, library.playlistId);
}
