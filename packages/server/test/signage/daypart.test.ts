/**
 * Day-parting over HTTP: a playlist's `schedule` is written with the admin API (create and PUT),
 * read back, cleared by a PUT without it, handed to the device in its playlists answer, and bad
 * schedules are refused with 400 in the signage error shape, naming the field.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, login, startTestServer, type TestServer } from '../helpers/server';
import { ADMIN_API, createPlaylist, putScreen, register, userToken } from './helpers';

const { signage } = protocol;

let t: TestServer;
let admin: string;

beforeEach(async () => {
  t = await startTestServer();
  admin = await login(t.url, ADMIN.username, ADMIN.password);
});
afterEach(async () => {
  await t.close();
});

const NIGHT: protocol.signage.PlaylistSchedule = [
  { days: ['fri', 'sat'], start: '22:00', end: '02:00' },
  { days: ['sun'], start: '00:00', end: '24:00' },
];

describe('playlist schedule (day-parting)', () => {
  it('is stored on create, changed and cleared by PUT, and reaches the device', async () => {
    const created = await createPlaylist(t, admin, {
      name: 'Night',
      width: 1920,
      height: 1080,
      schedule: NIGHT,
    });
    expect(created.schedule).toEqual(NIGHT);
    const plain = await createPlaylist(t, admin, { name: 'Always', width: 1920, height: 1080 });
    expect(plain.schedule).toBeNull();

    const url = `${t.url}${ADMIN_API}/playlists/${created.id}/`;
    const got = await call(url, { token: admin });
    expect(signage.AdminPlaylist.parse(got.body).schedule).toEqual(NIGHT);

    const lunch = [{ days: ['mon', 'tue'], start: '11:30', end: '14:00' }];
    const put = await call(url, {
      token: admin,
      method: 'PUT',
      body: { name: 'Lunch', width: 1920, height: 1080, schedule: lunch },
    });
    expect(put.status).toBe(200);
    expect(signage.AdminPlaylist.parse(put.body).schedule).toEqual(lunch);

    const token = await userToken(t, 'tv-1');
    await register(t, token, 'SN-1');
    await putScreen(t, admin, 'SN-1', 'front', {
      screen_name: 'Front',
      resolution: '1920x1080',
      playlist_ids: [plain.id, created.id],
    });
    const answer = await call(`${t.url}${ADMIN_API}/playlists?sn_number=SN-1`, { token });
    expect(answer.status).toBe(200);
    const screens = signage.DeviceScreens.parse(answer.body);
    expect(screens.front_screen?.playlists.map((p) => [p.id, p.schedule])).toEqual([
      [plain.id, null],
      [created.id, lunch],
    ]);

    // A PUT replaces the whole playlist: without a schedule it plays always again.
    const cleared = await call(url, {
      token: admin,
      method: 'PUT',
      body: { name: 'Lunch', width: 1920, height: 1080 },
    });
    expect(signage.AdminPlaylist.parse(cleared.body).schedule).toBeNull();
  });

  it.each([
    ['an unknown day', [{ days: ['monday'], start: '09:00', end: '17:00' }], 'schedule.0.days'],
    ['no days', [{ days: [], start: '09:00', end: '17:00' }], 'schedule.0.days'],
    ['a repeated day', [{ days: ['mon', 'mon'], start: '09:00', end: '17:00' }], 'days'],
    ['an hour past 23', [{ days: ['mon'], start: '24:00', end: '02:00' }], 'schedule.0.start'],
    ['a time without a leading zero', [{ days: ['mon'], start: '9:00', end: '17:00' }], 'start'],
    ['minutes past 59', [{ days: ['mon'], start: '09:00', end: '17:60' }], 'schedule.0.end'],
    ['an empty window (end = start)', [{ days: ['mon'], start: '09:00', end: '09:00' }], 'end'],
    ['an empty list', [], 'schedule'],
    ['a window that is not an object', ['mon 09:00-17:00'], 'schedule.0'],
  ])('refuses %s with 400 in the signage shape', async (_name, schedule, field) => {
    const res = await call(`${t.url}${ADMIN_API}/playlists/`, {
      token: admin,
      body: { name: 'Bad', width: 1, height: 1, schedule },
    });
    expect(res.status).toBe(400);
    const error = signage.SignageError.parse(res.body);
    expect(error.status_code).toBe(400);
    expect(error.message).toContain(field);
    const list = await call(`${t.url}${ADMIN_API}/playlists/`, { token: admin });
    expect(signage.PlaylistList.parse(list.body).count).toBe(0);
  });
});
