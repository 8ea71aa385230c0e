/**
 * The media upstreams polled once per cluster (integrations/media/cluster.ts): three real servers
 * in this process (port 0) on one fresh PostgreSQL database and one Redis prefix, pointed at the
 * simulators' fake Plex. Only the holder of the `media-upstreams` lease calls Plex (the fake's
 * `/status/sessions` count is the holder's polls, not three times them), its snapshots reach the
 * others' pollers, so a panel on an instance that never polls shows the Plex sessions with the
 * same ages, the media-stack status answer is the same on each, and a refresh asked elsewhere is the holder's poll; when the holder stops the lease
 * moves and another instance polls.
 */
import { protocol } from '@marquee/sdk';
import {
  FAKE_CREDENTIALS,
  startFakeJellyfin,
  startFakeMediaStack,
  type FakeJellyfin,
  type FakeMediaStack,
} from '@marquee/simulators';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { ConfigInput } from '../../src/core/config';
import { MEDIA_LEASE } from '../../src/integrations/media';
import { call, startTestServer, type TestServer } from '../helpers/server';
import { postgresForTests, type TestDatabase } from '../helpers/postgres';
import { redisForTests } from '../helpers/redis';

const postgres = await postgresForTests();
const redis = await redisForTests();

type Session = protocol.nowPlaying.Session;

describe.skipIf(!postgres.available || !redis.available)(
  'media upstreams on several instances',
  () => {
    let database: TestDatabase | undefined;
    let fakes: FakeMediaStack | undefined;
    let jellyfin: FakeJellyfin | undefined;
    let prefix = '';
    const servers: TestServer[] = [];
    const sockets: WebSocket[] = [];

    afterEach(async () => {
      for (const socket of sockets.splice(0)) socket.terminate();
      await Promise.all(servers.splice(0).map((server) => server.close()));
      await fakes?.close();
      fakes = undefined;
      await jellyfin?.close();
      jellyfin = undefined;
      await database?.drop();
      database = undefined;
      await redis.clean(prefix);
    });

    const plexOf = (t: TestServer) => {
      const plex = t.server.mediaStack.get('plex');
      if (plex === undefined) throw new Error('plex is not configured');
      return plex;
    };
    const sessionPolls = () => fakes?.plex.hits.get('/status/sessions') ?? 0;

    /** `count` instances on a fresh database and Redis prefix. */
    async function cluster(count: number, overrides: ConfigInput): Promise<void> {
      database = await postgres.createDatabase();
      prefix = redis.prefix();
      for (let i = 0; i < count; i++) {
        servers.push(
          await startTestServer({
            databaseUrl: database.url,
            redisUrl: redis.url,
            redisPrefix: prefix,
            upstreamTimeoutSeconds: 1,
            ...overrides,
          }),
        );
      }
    }

    /** The Plex and Jellyfin sessions of the latest Now Playing snapshot a panel on `t` received. */
    async function panel(t: TestServer): Promise<() => Session[]> {
      const ws = new WebSocket(`${t.wsUrl}/api/dashboard/ws`);
      sockets.push(ws);
      let latest: Session[] = [];
      ws.on('message', (data: Buffer) => {
        const snapshot = protocol.nowPlaying.Snapshot.parse(JSON.parse(data.toString('utf8')));
        latest = snapshot.sessions.filter((session) => session.source !== undefined);
      });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      return () => latest;
    }

    it('polls Plex on one instance and shows its sessions on every one', async () => {
      fakes = await startFakeMediaStack();
      await cluster(3, {
        plexUrl: fakes.plex.url,
        plexToken: FAKE_CREDENTIALS.plexToken,
        plexIntervalSeconds: 1,
      });
      const holders = () => servers.filter((t) => t.server.bus.lease(MEDIA_LEASE).held);
      await vi.waitFor(() => expect(holders()).toHaveLength(1), { timeout: 10_000 });
      const [holder] = holders();
      if (holder === undefined) throw new Error('no holder');
      const others = servers.filter((t) => t !== holder);

      // A panel on an instance that never calls Plex sees its sessions, as the holder's panel does.
      const [other] = others;
      if (other === undefined) throw new Error('three instances');
      const onOther = await panel(other);
      const onHolder = await panel(holder);
      await vi.waitFor(
        () =>
          expect(
            onOther()
              .map((s) => s.session_id)
              .sort(),
          ).toEqual(['plex-12', 'plex-13']),
        { timeout: 10_000 },
      );
      // Several polls, one instance polling: Plex answered exactly the holder's polls.
      await vi.waitFor(() => expect(plexOf(holder).poller.pollsStarted).toBeGreaterThanOrEqual(3), {
        timeout: 10_000,
      });
      await vi.waitFor(() => {
        expect(plexOf(holder).poller.snapshot().lastCheckAt).toBe(
          plexOf(other).poller.snapshot().lastCheckAt,
        );
        expect(onOther()).toEqual(onHolder());
        expect(sessionPolls()).toBe(plexOf(holder).poller.pollsStarted);
      });
      for (const t of others) {
        expect(plexOf(t).poller.pollsStarted).toBe(0);
        expect(plexOf(t).poller.following).toBe(true);
      }
      // The same figures everywhere: status, last success, counts, and the media-stack answer
      // (both read again if a poll came between the two requests).
      const { nextPollAt: _next, ...shared } = plexOf(holder).poller.snapshot();
      expect(plexOf(other).poller.snapshot()).toMatchObject(shared);
      const [adminOnHolder, adminOnOther] = [await holder.login(), await other.login()];
      /** The answer's data (its metadata is per request: time, request id). */
      const plexStatus = async (t: TestServer, token: string) =>
        ((await call(`${t.url}/api/v1/dashboard/status/plex`, { token })).body as { data: unknown })
          .data;
      await vi.waitFor(async () => {
        const answered = await plexStatus(holder, adminOnHolder);
        expect(answered).toMatchObject({ status: 'up', stats: { sessions: 2 } });
        expect(await plexStatus(other, adminOnOther)).toEqual(answered);
      });

      // A refresh asked on another instance is the holder's poll.
      const before = plexOf(holder).poller.pollsStarted;
      const refreshed = await plexOf(other).poller.refresh();
      await vi.waitFor(() => expect(plexOf(holder).poller.pollsStarted).toBeGreaterThan(before));
      expect(refreshed.counts.total).toBeGreaterThanOrEqual(before - 1);
      expect(plexOf(other).poller.pollsStarted).toBe(0);

      // The holder stops: the lease moves and another instance polls Plex.
      servers.splice(servers.indexOf(holder), 1);
      await holder.close();
      const byFirstHolder = plexOf(holder).poller.pollsStarted;
      await vi.waitFor(() => expect(holders()).toHaveLength(1), { timeout: 10_000 });
      const [next] = holders();
      if (next === undefined) throw new Error('no new holder');
      const calledBefore = sessionPolls();
      await vi.waitFor(() => expect(sessionPolls()).toBeGreaterThan(calledBefore + 1), {
        timeout: 10_000,
      });
      expect(plexOf(next).poller.following).toBe(false);
      const still = servers.find((t) => t !== next);
      if (still === undefined) throw new Error('two instances left');
      expect(plexOf(still).poller.pollsStarted).toBe(0);
      // Still once per cluster: Plex answered the first holder's polls and the new holder's.
      await vi.waitFor(() =>
        expect(sessionPolls()).toBe(byFirstHolder + plexOf(next).poller.pollsStarted),
      );
      await vi.waitFor(() =>
        expect(plexOf(still).poller.snapshot().lastCheckAt).toBe(
          plexOf(next).poller.snapshot().lastCheckAt,
        ),
      );
      expect(
        onOther()
          .map((s) => s.session_id)
          .sort(),
      ).toEqual(['plex-12', 'plex-13']);
    });

    it('holds the Jellyfin socket on one instance and mirrors what it pushes', async () => {
      const fake = await startFakeJellyfin();
      jellyfin = fake;
      // Polls an hour apart: within the test only push moves a session.
      await cluster(2, { ...jellyfin.config, jellyfinIntervalSeconds: 3600 });
      const holders = () => servers.filter((t) => t.server.bus.lease(MEDIA_LEASE).held);
      await vi.waitFor(() => expect(holders()).toHaveLength(1), { timeout: 10_000 });
      const [holder] = holders();
      const other = servers.find((t) => t !== holder);
      if (holder === undefined || other === undefined) throw new Error('two instances');
      const jellyfinOf = (t: TestServer) => {
        const upstream = t.server.mediaStack.get('jellyfin');
        if (upstream === undefined) throw new Error('jellyfin is not configured');
        return upstream;
      };
      // Now Playing holds the push socket on both instances; only the holder opens one.
      const onOther = await panel(other);
      await vi.waitFor(
        () => expect(onOther().map((s) => s.session_id)).toContain('jellyfin-js-1'),
        { timeout: 10_000 },
      );
      await vi.waitFor(() => expect(jellyfinOf(holder).push?.state()?.connected).toBe(true));
      expect(jellyfin.push.clients).toBe(1);
      expect(jellyfinOf(other).push?.state()).toBeUndefined();

      // Jellyfin answered the holder's polls (the first, and one per socket connection), only.
      const sessionCalls = () => fake.upstream.hits.get('/Sessions') ?? 0;
      await vi.waitFor(() => expect(sessionCalls()).toBe(jellyfinOf(holder).poller.pollsStarted));
      const calls = sessionCalls();
      const pushed = jellyfinOf(holder).poller.pushesTaken;
      const first = jellyfin.sessions[0];
      if (first === undefined) throw new Error('a fake session');
      first.PlayState = {
        PositionTicks: 30_000_000_000,
        IsPaused: true,
        PlayMethod: 'DirectPlay',
      };
      // Announced again until it arrives: the holder's SessionsStart may still be on its way.
      await vi.waitFor(() => {
        fake.changed();
        expect(onOther().find((s) => s.session_id === 'jellyfin-js-1')).toMatchObject({
          state: 'paused',
          current_time: 3000,
        });
      });
      // Taken from the holder's socket, without a call, and mirrored whole on the other instance.
      expect(sessionCalls()).toBe(calls);
      expect(jellyfinOf(holder).poller.pushesTaken).toBeGreaterThan(pushed);
      expect(jellyfinOf(other).poller.pollsStarted).toBe(0);
      expect(jellyfinOf(other).poller.snapshot().value).toEqual(
        jellyfinOf(holder).poller.snapshot().value,
      );
    });
  },
);
