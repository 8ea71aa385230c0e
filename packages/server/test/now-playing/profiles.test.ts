/**
 * Snapshot profiles (compact, field lists): one serialisation per broadcast per profile, checked
 * exactly on the hub with fake subscribers, then end to end on a real server.
 */
import { protocol } from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createHub } from '../../src/core/ws';
import { fakeSubscriber, type FakeSubscriber } from '../helpers/fake-subscriber';
import { ProfileTopics, profileOfUrl } from '../../src/surfaces/now-playing/profiles';
import {
  NOW_PLAYING_TOPIC,
  NowPlayingService,
  type SystemSample,
} from '../../src/surfaces/now-playing/service';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

const { CompactSnapshot, Snapshot, fieldSnapshotSchema } = protocol.nowPlaying;

const sample: SystemSample = {
  cpu_percent: 23.4,
  cpu_temp: 54.2,
  ram_percent: 42.1,
  ram_used_mb: 1536,
  ram_total_mb: 3648,
  disk_percent: 78,
  disk_used_gb: 45.2,
  disk_total_gb: 58,
  network_down_bps: 2_621_440,
  network_up_bps: 262_144,
  uptime_seconds: 442_800,
  load_avg: 0.45,
};

const profileAt = (query: string) => profileOfUrl(new URL(`ws://x/api/dashboard/ws${query}`));

describe('profile topics on the hub', () => {
  it('serialises each profile once per broadcast, whatever the number of subscribers', () => {
    let serialised = 0;
    const hub = createHub({
      serialize: (message) => {
        serialised++;
        return JSON.stringify(message);
      },
    });
    // Wired as app.ts wires it: the service publishes the full snapshot itself.
    const service = new NowPlayingService({
      broadcast: (snapshot) => hub.publishLatest(NOW_PLAYING_TOPIC, 'snapshot', snapshot),
      history: { add: () => Promise.reject(new Error('unused')), list: () => Promise.resolve([]) },
      now: () => Date.UTC(2026, 0, 17, 12),
      monotonic: () => 0,
      ttlSeconds: 30,
      maxSessionsPerUser: 10,
      maxSessions: 1000,
    });
    const firsts: number[] = [];
    let lasts = 0;
    const profiles = new ProfileTopics({
      hub,
      onFirst: () => firsts.push(profiles.topics.length),
      onLast: () => lasts++,
    });
    service.onBroadcast((snapshot) => profiles.publish(snapshot));
    service.tracker.update(
      { kind: 'user', userId: 1, username: 'john', role: 'operator' },
      {
        session_id: 's1',
        title: 'The Matrix',
        current_time: 60,
        duration: 600,
        state: 'playing',
      },
    );

    const audiences = {
      full: Array.from({ length: 50 }, fakeSubscriber),
      compact: Array.from({ length: 50 }, fakeSubscriber),
      titleState: Array.from({ length: 30 }, fakeSubscriber),
      stateTitle: Array.from({ length: 20 }, fakeSubscriber),
      title: Array.from({ length: 10 }, fakeSubscriber),
    };
    for (const s of audiences.full) profiles.join(s, profileAt(''));
    for (const s of audiences.compact) profiles.join(s, profileAt('?profile=compact'));
    for (const s of audiences.titleState) profiles.join(s, profileAt('?fields=title,state'));
    for (const s of audiences.stateTitle) profiles.join(s, profileAt('?fields=state,title'));
    for (const s of audiences.title) profiles.join(s, profileAt('?fields=title&token=x'));
    expect(profiles.topics.sort()).toEqual([
      'now-playing:compact',
      'now-playing:fields=title',
      'now-playing:fields=title,state',
    ]);
    expect(firsts).toEqual([1, 2, 3]);

    service.onSample(sample);
    // Full, compact and two distinct field lists: four serialisations for 160 subscribers.
    expect(serialised).toBe(4);
    const one = (subscribers: FakeSubscriber[]) => {
      const first = subscribers[0]?.got[0];
      for (const s of subscribers) expect(s.got).toEqual([first]);
      for (const s of subscribers) expect(s.got[0]).toBe(first); // the very same buffer
      return JSON.parse(String(first)) as unknown;
    };
    expect(Snapshot.parse(one(audiences.full)).sessions[0]?.session_id).toBe('s1');
    expect(CompactSnapshot.parse(one(audiences.compact)).sessions[0]?.title).toBe('The Matrix');
    const titleState = one([...audiences.titleState, ...audiences.stateTitle]);
    expect(fieldSnapshotSchema(['title', 'state']).parse(titleState).sessions).toEqual([
      { title: 'The Matrix', state: 'playing' },
    ]);
    expect(one(audiences.title)).toMatchObject({ sessions: [{ title: 'The Matrix' }] });

    // A profile whose subscribers left is neither rendered nor serialised any more.
    for (const s of audiences.compact) s.close();
    expect(lasts).toBe(1);
    expect(profiles.topics).not.toContain('now-playing:compact');
    serialised = 0;
    service.broadcast();
    expect(serialised).toBe(3);
  });

  it('refuses unknown profiles and fields, naming the parameter', () => {
    expect(() => profileAt('?profile=tiny')).toThrow(/query\.profile/);
    expect(() => profileAt('?fields=title,bogus')).toThrow(/query\.fields\.1/);
    expect(() => profileAt('?profile=compact&fields=title')).toThrow(/query\.fields/);
    expect(profileAt('?token=abc').topic).toBe('now-playing');
  });
});

describe('profiles on a real server', () => {
  let t: TestServer;
  let clock: number;

  beforeEach(async () => {
    clock = Date.UTC(2026, 0, 17, 12, 0, 0);
    t = await startTestServer(
      { sampleIntervalMs: 100 },
      { now: () => clock, monotonic: () => clock },
    );
  });
  afterEach(async () => {
    await t.close();
  });

  function openSocket(query: string): Promise<{ ws: WebSocket; frames: string[] }> {
    const ws = new WebSocket(`${t.wsUrl}/api/dashboard/ws${query}`);
    const frames: string[] = [];
    ws.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, frames }));
      ws.once('error', reject);
    });
  }

  async function addSessions(titles: readonly string[]): Promise<void> {
    await t.server.auth.createUser({
      username: 'viewer',
      password: 'viewer-password-1',
      role: 'operator',
    });
    const token = await login(t.url, 'viewer', 'viewer-password-1');
    for (const [i, title] of titles.entries()) {
      const res = await call(`${t.url}/api/dashboard/session/update`, {
        token,
        body: {
          session_id: `0b9c2f64-5c1e-4d7a-9a8e-1f2d3c4b5a6${i}`,
          title,
          current_time: 1234.5,
          duration: 5678.9,
          state: 'playing',
          username: 'Alexandra-Marie Octavia',
          poster_url: '/api/media/poster/a-very-long-poster-file-name.jpg',
        },
      });
      expect(res.status).toBe(200);
    }
  }

  it('pushes the compact profile within 1024 bytes, on every sample, to a compact-only audience', async () => {
    await addSessions([
      'The Lord of the Rings: The Fellowship of the Ring (Extended Edition)',
      '千と千尋の神隠し スタジオジブリ作品 劇場公開版 高画質リマスター',
      '🎬🍿 Family Movie Night 👨‍👩‍👧‍👦 "Best of" 2025 — Director\'s Cut 🎉🎉🎉',
      'Ünïcödé Çhåråctérs Éverywhere: A Documentary Series, Season 1 Episode 12',
    ]);
    const { ws, frames } = await openSocket('?profile=compact');
    // Sampler ticks reach a compact-only audience: the first frame plus several broadcasts.
    await vi.waitFor(() => expect(frames.length).toBeGreaterThanOrEqual(3), { timeout: 5000 });
    for (const frame of frames) {
      expect(Buffer.byteLength(frame, 'utf8')).toBeLessThanOrEqual(1024);
      const compact = CompactSnapshot.parse(JSON.parse(frame));
      expect(compact.sessions).toHaveLength(4);
      expect(compact.sessions[1]?.title.startsWith('千と千尋の神隠し')).toBe(true);
    }
    expect(t.server.hub.subscriberCount('now-playing:compact')).toBe(1);
    expect(t.server.hub.subscriberCount('now-playing')).toBe(0);
    ws.close();
  });

  it('sends only the listed fields, and the seed snapshot by default', async () => {
    await addSessions(['The Matrix']);
    const fields = await openSocket('?fields=state,title');
    const plain = await openSocket('');
    await vi.waitFor(() => expect(fields.frames.length && plain.frames.length).toBeGreaterThan(0));
    expect(JSON.parse(fields.frames[0] ?? '')).toMatchObject({
      sessions: [{ title: 'The Matrix', state: 'playing' }],
      system: { cpu_percent: 23.4 },
    });
    const picked = fieldSnapshotSchema(['title', 'state']).parse(
      JSON.parse(fields.frames[0] ?? ''),
    );
    expect(Object.keys(picked.sessions[0] ?? {})).toEqual(['title', 'state']);
    expect(Snapshot.parse(JSON.parse(plain.frames[0] ?? '')).sessions[0]?.title).toBe('The Matrix');
    fields.ws.close();
    plain.ws.close();
  });

  it('refuses an unknown field before the handshake with 400 in the surface shape', async () => {
    const refused = await openSocket('?fields=title,bogus').catch((error: unknown) => error);
    expect(String(refused)).toMatch(/400/);
  });

  it('answers GET /api/dashboard/now-playing in the profile asked for', async () => {
    await addSessions(['The Matrix']);
    const token = await login(t.url);
    const path = `${t.url}/api/dashboard/now-playing`;
    const compact = await call(`${path}?profile=compact`, { token });
    expect(compact.status).toBe(200);
    expect(CompactSnapshot.parse(compact.body).sessions[0]?.title).toBe('The Matrix');
    const fields = await call(`${path}?fields=title`, { token });
    expect(fields.body).toMatchObject({ sessions: [{ title: 'The Matrix' }] });
    expect(Object.keys((fields.body as { sessions: object[] }).sessions[0] ?? {})).toEqual([
      'title',
    ]);
    const bad = await call(`${path}?fields=title,bogus`, { token });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      detail: expect.stringContaining('query.fields.1'),
      code: 'BAD_REQUEST',
    });
    const mixed = await call(`${path}?profile=compact&fields=title`, { token });
    expect(mixed.status).toBe(400);
  });
});
