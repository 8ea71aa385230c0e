/**
 * The fakes' push sockets and remote control on real sockets: the fake Jellyfin (`/socket`
 * with `api_key`, ForceKeepAlive, SessionsStart → Sessions, playstate commands applied and
 * announced) and the fake Plex's notification socket (`X-Plex-Token` in the header or the query,
 * one notification per session, `stopped` for a session gone; companion commands). Credentials
 * and the `refuse` / `down` switches are checked as a client meets them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  FAKE_CREDENTIALS,
  FAKE_JELLYFIN_API_KEY,
  startFakeJellyfin,
  startFakeMediaStack,
  type FakeJellyfin,
  type FakeMediaStack,
} from '../src';

/** A client socket that keeps every frame; `next()` waits for the next unread one. */
class Client {
  readonly frames: unknown[] = [];
  #read = 0;
  #wake: (() => void) | undefined;
  readonly ws: WebSocket;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString('utf8')));
      this.#wake?.();
    });
  }

  /** Resolves on open, or with the HTTP status that refused the upgrade (or `cut`). */
  outcome(): Promise<'open' | number | 'cut'> {
    return new Promise((resolve) => {
      this.ws.once('open', () => resolve('open'));
      this.ws.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        response.resume();
      });
      this.ws.once('error', () => resolve('cut'));
    });
  }

  async next(): Promise<unknown> {
    while (this.#read >= this.frames.length) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    return this.frames[this.#read++];
  }
}

describe('the fake Jellyfin', () => {
  let jellyfin: FakeJellyfin;
  const socket = (key: string) =>
    `${jellyfin.upstream.url.replace('http', 'ws')}/socket?api_key=${key}&deviceId=test`;
  beforeAll(async () => {
    jellyfin = await startFakeJellyfin();
  });
  afterAll(() => jellyfin.close());

  it('checks the API key on HTTP (all three of Jellyfin’s ways) and on the socket', async () => {
    const url = `${jellyfin.upstream.url}/Sessions`;
    expect((await fetch(url)).status).toBe(401);
    for (const headers of <Record<string, string>[]>[
      { authorization: `MediaBrowser Client="t", Token="${FAKE_JELLYFIN_API_KEY}"` },
      { 'x-emby-token': FAKE_JELLYFIN_API_KEY },
    ]) {
      expect((await fetch(url, { headers })).status).toBe(200);
    }
    expect((await fetch(`${url}?api_key=${FAKE_JELLYFIN_API_KEY}`)).status).toBe(200);
    expect(await new Client(socket('wrong')).outcome()).toBe(401);
    expect(jellyfin.push.refused).toBe(1);
  });

  it('asks for keep-alives, sends Sessions after SessionsStart and after each command', async () => {
    const client = new Client(socket(FAKE_JELLYFIN_API_KEY));
    expect(await client.outcome()).toBe('open');
    expect(await client.next()).toEqual({ MessageType: 'ForceKeepAlive', Data: 60 });
    // Nothing is pushed before the client subscribes.
    jellyfin.changed();
    client.ws.send(JSON.stringify({ MessageType: 'SessionsStart', Data: '0,1500' }));
    const first = (await client.next()) as { MessageType: string; Data: { Id: string }[] };
    expect(first.MessageType).toBe('Sessions');
    expect(first.Data.map((s) => s.Id)).toEqual(['js-1', 'js-2']);

    const paused = await fetch(`${jellyfin.upstream.url}/Sessions/js-1/Playing/Pause`, {
      method: 'POST',
      headers: { 'x-emby-token': FAKE_JELLYFIN_API_KEY },
    });
    expect(paused.status).toBe(204);
    const after = (await client.next()) as {
      Data: { Id: string; PlayState: { IsPaused: boolean } }[];
    };
    expect(after.Data[0]?.PlayState.IsPaused).toBe(true);
    const unknown = await fetch(`${jellyfin.upstream.url}/Sessions/nobody/Playing/Stop`, {
      method: 'POST',
      headers: { 'x-emby-token': FAKE_JELLYFIN_API_KEY },
    });
    expect(unknown.status).toBe(404);
    expect(jellyfin.commands).toEqual([
      { sessionId: 'js-1', command: 'Pause' },
      { sessionId: 'nobody', command: 'Stop' },
    ]);
    client.ws.close();
  });

  it('refuses the socket with 503 in mode refuse and cuts it while down', async () => {
    jellyfin.push.mode = 'refuse';
    expect(await new Client(socket(FAKE_JELLYFIN_API_KEY)).outcome()).toBe(503);
    jellyfin.push.mode = 'ok';
    jellyfin.upstream.mode = 'down';
    expect(await new Client(socket(FAKE_JELLYFIN_API_KEY)).outcome()).toBe('cut');
    jellyfin.upstream.mode = 'ok';
  });
});

describe('the fake Plex’s notification socket', () => {
  let fakes: FakeMediaStack;
  const socket = () => `${fakes.plex.url.replace('http', 'ws')}/:/websockets/notifications`;
  beforeAll(async () => {
    fakes = await startFakeMediaStack();
  });
  afterAll(() => fakes.close());

  it('takes the token in the header or the query and refuses a wrong one', async () => {
    expect(await new Client(socket(), { 'x-plex-token': 'nope' }).outcome()).toBe(401);
    const byQuery = new Client(`${socket()}?X-Plex-Token=${FAKE_CREDENTIALS.plexToken}`);
    expect(await byQuery.outcome()).toBe('open');
    byQuery.ws.close();
  });

  it('announces each session, then stopped for one that is gone; relays companion commands', async () => {
    const client = new Client(socket(), { 'x-plex-token': FAKE_CREDENTIALS.plexToken });
    expect(await client.outcome()).toBe('open');
    fakes.plexPush.changed();
    type Frame = {
      NotificationContainer: {
        type: string;
        PlaySessionStateNotification: { sessionKey: string; state: string; viewOffset?: number }[];
      };
    };
    const first = (await client.next()) as Frame;
    expect(first.NotificationContainer.type).toBe('playing');
    expect(
      first.NotificationContainer.PlaySessionStateNotification.map((n) => [n.sessionKey, n.state]),
    ).toEqual([
      ['12', 'playing'],
      ['13', 'paused'],
    ]);

    const stop = await fetch(`${fakes.plex.url}/player/playback/stop?type=video&commandID=1`, {
      headers: {
        'x-plex-token': FAKE_CREDENTIALS.plexToken,
        'x-plex-target-client-identifier': 'tv-1',
      },
    });
    expect(stop.status).toBe(200);
    const after = (await client.next()) as Frame;
    expect(
      after.NotificationContainer.PlaySessionStateNotification.map((n) => [n.sessionKey, n.state]),
    ).toEqual([
      ['13', 'paused'],
      ['12', 'stopped'],
    ]);
    expect(fakes.state.plexSessions.MediaContainer.size).toBe(1);
    const nobody = await fetch(`${fakes.plex.url}/player/playback/pause?type=video&commandID=2`, {
      headers: {
        'x-plex-token': FAKE_CREDENTIALS.plexToken,
        'x-plex-target-client-identifier': 'gone',
      },
    });
    expect(nobody.status).toBe(404);
    expect(fakes.plexPush.commands.map((c) => [c.command, c.target, c.commandId])).toEqual([
      ['stop', 'tv-1', '1'],
      ['pause', 'gone', '2'],
    ]);
    client.ws.close();
  });
});
