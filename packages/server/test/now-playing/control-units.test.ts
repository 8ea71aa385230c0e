/**
 * The two pieces under the control route, without sockets: routing a session to a player and
 * correlating acknowledgements, with injected timers so a timeout is a function call.
 */
import { MarqueeError, type protocol } from '@marquee/sdk';
import { describe, expect, it } from 'vitest';
import {
  PendingCommands,
  playbackError,
  type CommandTimers,
} from '../../src/surfaces/now-playing/commands';
import { PlayerRegistry, type Player } from '../../src/surfaces/now-playing/players';

function fakePlayer(id: string, userId: number, admin = false): Player & { sent: unknown[] } {
  const sent: protocol.playback.PlayerServerMessage[] = [];
  return { id, userId, admin, sent, send: (message) => sent.push(message) > 0 };
}

describe('PlayerRegistry', () => {
  const session = { session_id: 's1', user_id: 7 };

  it("routes to the owner's only player, and to nobody without one", () => {
    const players = new PlayerRegistry();
    expect(players.route(session)).toEqual({ ok: false, reason: 'none' });
    players.add(fakePlayer('other', 8));
    expect(players.route(session)).toEqual({ ok: false, reason: 'none' });
    const mine = fakePlayer('mine', 7);
    players.add(mine);
    expect(players.route(session)).toEqual({ ok: true, player: mine });
  });

  it('several unclaimed players of the owner are ambiguous; the latest claim wins', () => {
    const players = new PlayerRegistry();
    const laptop = fakePlayer('laptop', 7);
    const tv = fakePlayer('tv', 7);
    players.add(laptop);
    players.add(tv);
    expect(players.route(session)).toEqual({ ok: false, reason: 'ambiguous' });
    players.claim('laptop', 's1');
    expect(players.route(session)).toMatchObject({ player: laptop });
    players.claim('tv', 's1');
    expect(players.route(session)).toMatchObject({ player: tv });
    players.release('laptop', 's1'); // not the holder: nothing changes
    expect(players.route(session)).toMatchObject({ player: tv });
    players.remove('tv');
    expect(players.route(session)).toMatchObject({ player: laptop });
  });

  it("ignores another user's claim unless that user is an admin", () => {
    const players = new PlayerRegistry();
    const owner = fakePlayer('owner', 7);
    const intruder = fakePlayer('intruder', 8);
    players.add(owner);
    players.add(intruder);
    players.claim('intruder', 's1');
    expect(players.route(session)).toMatchObject({ player: owner });
    const admin = fakePlayer('admin', 1, true);
    players.add(admin);
    players.claim('admin', 's1');
    expect(players.route(session)).toMatchObject({ player: admin });
  });

  it('ignores claims of unknown players and forgets claims of removed ones', () => {
    const players = new PlayerRegistry();
    players.claim('ghost', 's1');
    const a = fakePlayer('a', 7);
    const b = fakePlayer('b', 7);
    players.add(a);
    players.add(b);
    expect(players.route(session)).toEqual({ ok: false, reason: 'ambiguous' });
    players.claim('a', 's1');
    players.remove('a');
    expect(players.route(session)).toMatchObject({ player: b });
    expect(players.size).toBe(1);
  });
});

/** Timers that fire only when told to. */
function manualTimers(): CommandTimers & { fire(): void; count(): number } {
  const pending = new Map<number, () => void>();
  let next = 0;
  return {
    setTimeout(fn) {
      next++;
      pending.set(next, fn);
      return next;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    fire() {
      for (const [handle, fn] of [...pending]) {
        pending.delete(handle);
        fn();
      }
    },
    count: () => pending.size,
  };
}

describe('PendingCommands', () => {
  let ids = 0;
  const newId = () => `cmd-${++ids}`;

  it('resolves on an ok ack from the player it was sent to, and ignores anyone else', async () => {
    const timers = manualTimers();
    const commands = new PendingCommands({ timers, newId });
    const { commandId, done } = commands.issue('p1', 5000);
    expect(commands.ack('p2', { type: 'ack', command_id: commandId, ok: true })).toBe(false);
    expect(commands.ack('p1', { type: 'ack', command_id: 'unknown', ok: true })).toBe(false);
    expect(commands.ack('p1', { type: 'ack', command_id: commandId, ok: true })).toBe(true);
    await expect(done).resolves.toBeUndefined();
    expect(timers.count()).toBe(0);
    // A second (late) ack finds nothing.
    expect(commands.ack('p1', { type: 'ack', command_id: commandId, ok: true })).toBe(false);
  });

  it('ok: false → PLAYER_ERROR (502) with the player error, or a default message', async () => {
    const commands = new PendingCommands({ timers: manualTimers(), newId });
    const first = commands.issue('p1', 5000);
    commands.ack('p1', { type: 'ack', command_id: first.commandId, ok: false, error: 'No media' });
    await expect(first.done).rejects.toMatchObject({
      code: 'PLAYER_ERROR',
      status: 502,
      message: 'No media',
    });
    const second = commands.issue('p1', 5000);
    commands.ack('p1', { type: 'ack', command_id: second.commandId, ok: false });
    await expect(second.done).rejects.toMatchObject({
      message: 'The player could not apply the command',
    });
  });

  it('times out with UPSTREAM_TIMEOUT (504) when the timer fires first', async () => {
    const timers = manualTimers();
    const commands = new PendingCommands({ timers, newId });
    const { commandId, done } = commands.issue('p1', 200);
    timers.fire();
    await expect(done).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 });
    expect(commands.ack('p1', { type: 'ack', command_id: commandId, ok: true })).toBe(false);
    expect(commands.size).toBe(0);
  });

  it("fails a player's commands when it goes, and everything on shutdown", async () => {
    const timers = manualTimers();
    const commands = new PendingCommands({ timers, newId });
    const a1 = commands.issue('a', 5000);
    const a2 = commands.issue('a', 5000);
    const b1 = commands.issue('b', 5000);
    const gone = playbackError('PLAYER_DISCONNECTED', 'gone');
    expect(commands.failPlayer('a', gone)).toBe(2);
    await expect(a1.done).rejects.toBe(gone);
    await expect(a2.done).rejects.toBe(gone);
    expect(commands.size).toBe(1);
    commands.failAll(new MarqueeError('SERVICE_UNAVAILABLE', 'bye'));
    await expect(b1.done).rejects.toMatchObject({ status: 503 });
    expect(timers.count()).toBe(0);
  });
});
