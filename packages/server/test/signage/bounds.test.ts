/**
 * Signage bounds against a real server: a device keeps its newest screenshots (rows and files),
 * and pending commands per device are capped (429 for one device, a broadcast skips and names
 * the full ones).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { protocol } from '@marquee/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/server';
import { ADMIN_API, jpegBytes, postMultipart, register, userToken } from './helpers';

const { signage } = protocol;

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function screenshot(server: TestServer, token: string, sn: string, mediaId: number) {
  const res = await postMultipart(
    `${server.url}/api/v1/screenshot`,
    token,
    { device_id: sn, media_id: String(mediaId) },
    {
      field: 'image_file',
      name: 'screen.jpg',
      type: 'image/jpeg',
      bytes: jpegBytes(1000, mediaId),
    },
  );
  expect(res.status).toBe(200);
}

describe('screenshots kept per device', () => {
  it('keeps the newest MARQUEE_MAX_SCREENSHOTS_PER_DEVICE rows and files of each device', async () => {
    const server = (t = await startTestServer({ maxScreenshotsPerDevice: 3 }));
    const admin = await server.login();
    const token = await userToken(server, 'tv-1');
    await register(server, token, 'SN-1');
    await register(server, token, 'SN-2');
    await screenshot(server, token, 'SN-2', 900);
    const list = async (sn: string) =>
      signage.ScreenshotList.parse(
        (await call(`${server.url}${ADMIN_API}/devices/${sn}/screenshots/`, { token: admin })).body,
      ).results;

    await screenshot(server, token, 'SN-1', 1);
    const [oldest] = await list('SN-1');
    for (let media = 2; media <= 5; media++) await screenshot(server, token, 'SN-1', media);

    expect((await list('SN-1')).map((s) => s.media_id)).toEqual([5, 4, 3]);
    const folder = join(server.dataDir, 'signage', 'screenshots');
    expect(readdirSync(join(folder, 'SN-1'))).toHaveLength(3);
    const gone = await call(`${server.url}${oldest?.url ?? ''}`, { token: admin });
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ status_code: 404 });
    // Another device's screenshots are its own.
    expect((await list('SN-2')).map((s) => s.media_id)).toEqual([900]);
    expect(readdirSync(join(folder, 'SN-2'))).toHaveLength(1);
  });
});
