/**
 * The player client's command side against a real `ws` server on port 0 standing in for the
 * player channel: claims on connect and reconnect, acks for handled, refused, timed-out and
 * misdirected commands, and what a successful command does to the reported session.
 */
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { createPlayerClient, type PlayerClient } from '../../src/clients/now-playing-player';
import {
  PlayerClientMessage,
  type ControlCommand,
  type PlayerAck,
} from '../../src/protocol/playback';
import type { SessionUpdate } from '../../src/protocol/now-playing';
import { FAST_BACKOFF, WAIT, onCleanup, startServer } from '../transport/helpers';

async function setup(options: { controlTimeoutMs?: number } = {}) {
  const received: PlayerClientMessage[] = [];
  const server = await startServer((socket: WebSocket) => {
    socket.on('message', (data: Buffer) =>
      received.push(PlayerClientMessage.parse(JSON.parse(data.toString('utf8')))),
    );
    socket.send(JSON.stringify({ type: 'ready', player_id: 'p1' }));
  });
  const posted: SessionUpdate[] = [];
  const player = createPlayerClient({
    baseUrl: server.url.replace('ws:', 'http:'),
    token: () => 'user-token',
    network: false,
    backoff: FAST_BACKOFF,
    updateIntervalMs: 60_000,
    fetch: (_input, init) => {
      const body = JSON.parse(typeof init?.body === 'string' ? init.body : '') as SessionUpdate;
      posted.push(body);
      return Promise.resolve(Response.json({ status: 'ok', session_id: body.session_id }));
    },
    ...options,
  });
  onCleanup(() => player.close());
  return { server, player, received, posted };
}

async function ready(player: PlayerClient): Promise<void> {
  const isReady = new Promise((resolve) => player.once('ready', resolve));
  player.connect();
  await isReady;
}

let sequence = 0;
function command(action: ControlCommand['action'], session_id = 'movie-1'): ControlCommand {
  sequence++;
  return {
    type: 'control',
    command_id: `cmd-${sequence}`,
    session_id,
    action,
    issued_at: 1_768_670_000,
    timeout_ms: 5000,
  };
}

/** Sends `cmd` from the server and resolves with the client's ack. */
async function roundTrip(
  setupResult: Awaited<ReturnType<typeof setup>>,
  cmd: ControlCommand,
): Promise<PlayerAck> {
  const acked = new Promise<PlayerAck>((resolve) =>
    setupResult.player.on('control', (handled, ack) => {
      if (handled.command_id === cmd.command_id) resolve(ack);
    }),
  );
  setupResult.server.last().send(JSON.stringify(cmd));
  const ack = await acked;
  await vi.waitFor(
    () =>
      expect(setupResult.received).toContainEqual(
        expect.objectContaining({ type: 'ack', command_id: cmd.command_id }),
      ),
    WAIT,
  );
  return ack;
}

const movie = { session_id: 'movie-1', title: 'The Matrix', duration: 8160, current_time: 10 };

describe('player client control channel', () => {
  it('connects to /api/dashboard/player/ws with the token and claims its session, again after a reconnect', async () => {
    const s = await setup();
    await ready(s.player);
    expect(s.server.urls).toEqual(['/api/dashboard/player/ws?token=user-token']);
    await s.player.startSession(movie);
    await vi.waitFor(
      () => expect(s.received).toEqual([{ type: 'claim', session_id: 'movie-1' }]),
      WAIT,
    );
    s.server.killAll();
    await vi.waitFor(() => expect(s.server.connections).toHaveLength(2), WAIT);
    await vi.waitFor(
      () => expect(s.received.filter((m) => m.type === 'claim')).toHaveLength(2),
      WAIT,
    );
    await s.player.endSession();
    await vi.waitFor(
      () => expect(s.received.at(-1)).toEqual({ type: 'release', session_id: 'movie-1' }),
      WAIT,
    );
  });

  it('runs the handlers and acks ok; a successful pause posts the paused state', async () => {
    const s = await setup();
    await ready(s.player);
    await s.player.startSession(movie);
    const handled: ControlCommand[] = [];
    s.player.onControl(async (cmd) => {
      expectTypeOf(cmd).toEqualTypeOf<ControlCommand>();
      await Promise.resolve();
      handled.push(cmd);
    });
    const pause = command('pause');
    expect(await roundTrip(s, pause)).toEqual({
      type: 'ack',
      command_id: pause.command_id,
      ok: true,
    });
    expect(handled).toEqual([pause]);
    await vi.waitFor(() => expect(s.posted.at(-1)?.state).toBe('paused'), WAIT);
    expect(s.player.session?.state).toBe('paused');
    expect(await roundTrip(s, command('resume'))).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(s.posted.at(-1)?.state).toBe('playing'), WAIT);
  });

  it('acks ok: false with the message when a handler throws or rejects', async () => {
    const s = await setup();
    await ready(s.player);
    await s.player.startSession(movie);
    const remove = s.player.onControl(() => {
      throw new Error('Autoplay blocked');
    });
    expect(await roundTrip(s, command('resume'))).toMatchObject({
      ok: false,
      error: 'Autoplay blocked',
    });
    remove();
    s.player.onControl(() => Promise.reject(new Error('Decoder crashed')));
    expect(await roundTrip(s, command('pause'))).toMatchObject({
      ok: false,
      error: 'Decoder crashed',
    });
    // A refused command changes nothing.
    expect(s.player.session?.state).toBe('playing');
  });

  it('refuses a handler that overruns controlTimeoutMs', async () => {
    const s = await setup({ controlTimeoutMs: 30 });
    await ready(s.player);
    await s.player.startSession(movie);
    s.player.onControl(() => new Promise<void>(() => undefined));
    expect(await roundTrip(s, command('pause'))).toMatchObject({
      ok: false,
      error: 'The player did not apply it within 30 ms',
    });
  });

  it('refuses commands for another session, or without a handler, without running anything', async () => {
    const s = await setup();
    await ready(s.player);
    await s.player.startSession(movie);
    expect(await roundTrip(s, command('pause'))).toMatchObject({
      ok: false,
      error: 'The player has no control handler',
    });
    const handler = vi.fn();
    s.player.onControl(handler);
    expect(await roundTrip(s, command('pause', 'movie-2'))).toMatchObject({
      ok: false,
      error: 'This player is not playing session movie-2',
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('a successful stop ends the session without a final update', async () => {
    const s = await setup();
    await ready(s.player);
    await s.player.startSession(movie);
    s.player.onControl(() => undefined);
    expect(await roundTrip(s, command('stop'))).toMatchObject({ ok: true });
    expect(s.player.session).toBeUndefined();
    await s.player.endSession();
    expect(s.posted.map((p) => p.state)).toEqual(['playing']);
  });

  it('reports a refused claim as an error', async () => {
    const s = await setup();
    await ready(s.player);
    const errors: string[] = [];
    s.player.on('error', (error) => errors.push(`${error.code}: ${error.message}`));
    s.server
      .last()
      .send(JSON.stringify({ type: 'claimed', session_id: 'x', ok: false, error: 'Not yours' }));
    await vi.waitFor(() => expect(errors).toEqual(['FORBIDDEN: Not yours']), WAIT);
  });
});
