/**
 * Playback control end to end: a real server, the real SDK player client on its player channel,
 * and dashboards calling `POST /api/dashboard/session/{id}/control` over HTTP. Timeouts are the
 * server's own timer with a small `timeout_ms`; assertions are about statuses, not wall-clock.
 */
import {
  createPlayerClient,
  protocol,
  type ControlCommand,
  type PlayerClient,
  type PlayerServerMessage,
} from '@marquee/sdk';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import WebSocket from 'ws';
import { call, login, startTestServer, type TestServer } from '../helpers/server';

const { ControlResponse, PlayerServerMessage: ServerMessage } = protocol.playback;

let t: TestServer;
const cleanups: Array<() => void> = [];

beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await t.close();
});

async function userToken(
  username = 'viewer',
  role: 'operator' | 'admin' | 'viewer' = 'operator',
): Promise<string> {
  await t.server.auth.createUser({ username, password: 'viewer-password-1', role });
  return login(t.url, username, 'viewer-password-1');
}

/** The server's id of each player client's current connection. */
const playerIds = new WeakMap<PlayerClient, string>();

/** A connected SDK player, registered by the server (its `ready` arrived). */
async function player(token: string): Promise<PlayerClient> {
  const client = createPlayerClient({
    baseUrl: t.url,
    token: () => token,
    network: false,
    backoff: { initialMs: 20, maxMs: 50 },
    // No periodic updates during a test unless it asks for them.
    updateIntervalMs: 60_000,
  });
  cleanups.push(() => client.close());
  client.on('ready', (id) => playerIds.set(client, id));
  const ready = new Promise<string>((resolve) => client.once('ready', resolve));
  client.connect();
  await ready;
  return client;
}

/** Starts a session on `client` and waits until the server confirmed the claim. */
async function play(client: PlayerClient, session_id = 'movie-1'): Promise<void> {
  const claimed = new Promise((resolve) => client.once('claimed', resolve));
  await client.startSession({
    session_id,
    title: 'The Matrix',
    media_type: 'movie',
    duration: 8160,
    current_time: 1234,
  });
  await claimed;
}

function control(token: string | undefined, body: unknown, sessionId = 'movie-1') {
  return call(`${t.url}/api/dashboard/session/${sessionId}/control`, { token, body });
}

/** A raw player socket that never claims anything, recording what it receives. */
async function rawPlayer(
  token: string,
): Promise<{ ws: WebSocket; messages: PlayerServerMessage[] }> {
  const ws = new WebSocket(`${t.wsUrl}/api/dashboard/player/ws?token=${token}`);
  const messages: PlayerServerMessage[] = [];
  ws.on('message', (data: Buffer) =>
    messages.push(ServerMessage.parse(JSON.parse(data.toString('utf8')))),
  );
  cleanups.push(() => ws.terminate());
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await vi.waitFor(() => expect(messages[0]?.type).toBe('ready'));
  return { ws, messages };
}

const session = (id = 'movie-1') => t.server.nowPlaying.tracker.get(id)?.session;

describe('POST /api/dashboard/session/{id}/control', () => {
  it('pause and resume reach the owning player, are acknowledged, and the new state is posted', async () => {
    const token = await userToken();
    const client = await player(token);
    const received: ControlCommand[] = [];
    client.onControl((command) => {
      expectTypeOf(command.action).toEqualTypeOf<'pause' | 'resume' | 'stop'>();
      received.push(command);
    });
    await play(client);
    expect(session()?.state).toBe('playing');

    const paused = await control(token, { action: 'pause' });
    expect(paused.status).toBe(200);
    const body = ControlResponse.parse(paused.body);
    expect(body).toMatchObject({
      status: 'ok',
      session_id: 'movie-1',
      action: 'pause',
      acknowledged: true,
    });
    expect(received).toEqual([
      expect.objectContaining({
        type: 'control',
        command_id: body.command_id,
        session_id: 'movie-1',
        action: 'pause',
        timeout_ms: 5000,
      }),
    ]);
    await vi.waitFor(() => expect(session()?.state).toBe('paused'));
    expect(client.session?.state).toBe('paused');

    expect((await control(token, { action: 'resume' })).status).toBe(200);
    await vi.waitFor(() => expect(session()?.state).toBe('playing'));
  });

  it('a handler that throws → 502 PLAYER_ERROR with its message', async () => {
    const token = await userToken();
    const client = await player(token);
    client.onControl(() => {
      throw new Error('Autoplay policy blocked resume');
    });
    await play(client);
    const res = await control(token, { action: 'resume' });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ detail: 'Autoplay policy blocked resume', code: 'PLAYER_ERROR' });
    expect(session()?.state).toBe('playing');
  });

  it('a player that never acknowledges → 504 UPSTREAM_TIMEOUT after timeout_ms', async () => {
    const token = await userToken();
    const client = await player(token);
    client.onControl(() => new Promise<void>(() => undefined));
    await play(client);
    const res = await control(token, { action: 'pause', timeout_ms: 150 });
    expect(res.status).toBe(504);
    expect(res.body).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });

  it('the player disconnecting with a command pending → 502 PLAYER_DISCONNECTED, not a timeout', async () => {
    const token = await userToken();
    const client = await player(token);
    client.onControl(() => {
      client.socket.close();
      return new Promise<void>(() => undefined);
    });
    await play(client);
    const res = await control(token, { action: 'pause', timeout_ms: 15_000 });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'PLAYER_DISCONNECTED' });
  });

  it('no player connected → 409 PLAYER_NOT_CONNECTED', async () => {
    const token = await userToken();
    await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: {
        session_id: 'movie-1',
        title: 'The Matrix',
        current_time: 1,
        duration: 2,
        state: 'playing',
      },
    });
    const res = await control(token, { action: 'pause' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'PLAYER_NOT_CONNECTED' });
  });

  it('routes to the claiming player; several unclaimed players of the owner → 409', async () => {
    const token = await userToken();
    const a = await rawPlayer(token);
    const b = await rawPlayer(token);
    await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: {
        session_id: 'movie-1',
        title: 'The Matrix',
        current_time: 1,
        duration: 2,
        state: 'playing',
      },
    });
    const ambiguous = await control(token, { action: 'pause' });
    expect(ambiguous.status).toBe(409);
    expect((ambiguous.body as { detail: string }).detail).toMatch(/none has claimed/);

    const client = await player(token);
    const received: string[] = [];
    client.onControl((command) => {
      received.push(command.action);
    });
    await play(client);
    expect((await control(token, { action: 'pause' })).status).toBe(200);
    expect(received).toEqual(['pause']);
    for (const raw of [a, b]) expect(raw.messages.map((m) => m.type)).toEqual(['ready']);
  });

  it('with one unclaimed player of the owner, that player gets the command', async () => {
    const token = await userToken();
    const raw = await rawPlayer(token);
    raw.ws.on('message', (data: Buffer) => {
      const message = ServerMessage.parse(JSON.parse(data.toString('utf8')));
      if (message.type === 'control') {
        raw.ws.send(JSON.stringify({ type: 'ack', command_id: message.command_id, ok: true }));
      }
    });
    await call(`${t.url}/api/dashboard/session/update`, {
      token,
      body: {
        session_id: 'movie-1',
        title: 'The Matrix',
        current_time: 1,
        duration: 2,
        state: 'playing',
      },
    });
    expect((await control(token, { action: 'pause' })).status).toBe(200);
    expect(raw.messages.at(-1)).toMatchObject({ type: 'control', action: 'pause' });
  });

  it('stop → acknowledged, the session is removed and recorded in history, the player stops posting', async () => {
    const token = await userToken();
    const client = await player(token);
    const actions: string[] = [];
    client.onControl((command) => {
      actions.push(command.action);
    });
    await play(client);
    const res = await control(token, { action: 'stop' });
    expect(res.status).toBe(200);
    expect(actions).toEqual(['stop']);
    expect(t.server.nowPlaying.tracker.list()).toHaveLength(0);
    expect(client.session).toBeUndefined();
    await vi.waitFor(async () => {
      const history = await t.server.store.sessionHistory.list({ limit: 10 });
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ sessionId: 'movie-1', endReason: 'stopped' });
    });
    // No final update re-creates the session the server removed.
    await client.endSession();
    expect(t.server.nowPlaying.tracker.list()).toHaveLength(0);
  });

  it('unknown session → 404, a viewer → 403, another operator or an admin → 200', async () => {
    const token = await userToken('alice');
    const viewer = await userToken('vera', 'viewer');
    const bob = await userToken('bob');
    const admin = await login(t.url);
    const client = await player(token);
    client.onControl(() => undefined);
    await play(client);
    const unknown = await control(token, { action: 'pause' }, 'nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'NOT_FOUND' });
    const refused = await control(viewer, { action: 'pause' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN' });
    // A panel on the wall with its own operator account pauses whoever is watching.
    expect((await control(bob, { action: 'pause' })).status).toBe(200);
    expect((await control(admin, { action: 'pause' })).status).toBe(200);
  });

  it('a display token cannot control (403) nor open the player channel; no token → 401', async () => {
    const token = await userToken();
    const client = await player(token);
    await play(client);
    const admin = await login(t.url);
    const created = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'hallway panel' },
    });
    const display = (created.body as { token: string }).token;
    const res = await control(display, { action: 'stop' });
    expect(res.status).toBe(403);
    expect(session()).toBeDefined();
    expect((await control(undefined, { action: 'stop' })).status).toBe(401);
    await expect(rawPlayer(display)).rejects.toThrow(/403/);
  });

  it('rejects an invalid action or timeout_ms with 400', async () => {
    const token = await userToken();
    for (const body of [{ action: 'rewind' }, { action: 'pause', timeout_ms: 50 }, {}]) {
      const res = await control(token, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'BAD_REQUEST' });
    }
  });
});

describe('WS /api/dashboard/player/ws', () => {
  it('answers a malformed message with an error and stays open; ping → pong', async () => {
    const token = await userToken();
    const { ws, messages } = await rawPlayer(token);
    ws.send('{not json');
    ws.send(JSON.stringify({ type: 'ack', command_id: '' }));
    ws.send(JSON.stringify({ type: 'ping' }));
    await vi.waitFor(() => expect(messages).toHaveLength(4));
    expect(messages.slice(1)).toEqual([
      { type: 'error', code: 'BAD_REQUEST', message: 'Malformed JSON message' },
      expect.objectContaining({ type: 'error', code: 'BAD_REQUEST' }),
      { type: 'pong' },
    ]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it("refuses a claim on another user's session", async () => {
    const alice = await userToken('alice');
    const bob = await userToken('bob');
    const client = await player(alice);
    await play(client);
    const { ws, messages } = await rawPlayer(bob);
    ws.send(JSON.stringify({ type: 'claim', session_id: 'movie-1' }));
    await vi.waitFor(() =>
      expect(messages.at(-1)).toMatchObject({ type: 'claimed', session_id: 'movie-1', ok: false }),
    );
  });

  it('re-claims the session after a reconnect, so commands still reach it', async () => {
    const token = await userToken();
    const client = await player(token);
    client.onControl(() => undefined);
    await play(client);
    // A second player of the same user: without the re-claim, routing would be ambiguous.
    await player(token);
    const reclaimed = new Promise((resolve) => client.once('claimed', resolve));
    const closed = t.server.gateway.closeWhere(
      (conn) => conn.id === playerIds.get(client),
      protocol.CloseCodes.GOING_AWAY,
    );
    expect(closed).toBe(1);
    await reclaimed;
    expect((await control(token, { action: 'pause' })).status).toBe(200);
  });
});
