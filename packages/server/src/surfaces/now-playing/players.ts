/**
 * Connected web players and the sessions they claim, for routing playback commands. A user may
 * run several players (a laptop tab and a TV browser), so "the player of user 7" is not enough:
 * each player claims the sessions it plays, and a command goes to
 *
 * 1. the player with the latest claim on the session (a session moved to another device is
 *    claimed there), when it belongs to the session owner or to an admin;
 * 2. otherwise the owner's only connected player (players that never claim keep working in the
 *    common one-player case);
 * 3. otherwise nobody: no player, or several unclaimed ones. Guessing would pause the wrong
 *    screen, and sending to all would ask players to apply a command for a session they do not
 *    play, so the caller gets a clear 409 instead.
 */
import type { protocol } from '@marquee/sdk';

/** One connected player, as far as routing needs it. */
export interface Player {
  readonly id: string;
  readonly userId: number;
  readonly admin: boolean;
  /** Queues a message for the player; false when its socket is already closing. */
  send(message: protocol.playback.PlayerServerMessage): boolean;
}

export type Route =
  | { readonly ok: true; readonly player: Player }
  | { readonly ok: false; readonly reason: 'none' | 'ambiguous' };

export class PlayerRegistry {
  readonly #players = new Map<string, Player>();
  /** session_id → id of the player with the latest claim. */
  readonly #claims = new Map<string, string>();

  get size(): number {
    return this.#players.size;
  }

  add(player: Player): void {
    this.#players.set(player.id, player);
  }

  /** Forgets a player and every claim it holds. */
  remove(playerId: string): void {
    this.#players.delete(playerId);
    for (const [sessionId, owner] of this.#claims) {
      if (owner === playerId) this.#claims.delete(sessionId);
    }
  }

  /** The latest claim wins; a claim by an unknown player is ignored. */
  claim(playerId: string, sessionId: string): void {
    if (this.#players.has(playerId)) this.#claims.set(sessionId, playerId);
  }

  /** Drops the claim, only when this player still holds it. */
  release(playerId: string, sessionId: string): void {
    if (this.#claims.get(sessionId) === playerId) this.#claims.delete(sessionId);
  }

  /** The player that should receive a command for `session` (see the rules above). */
  route(session: { readonly session_id: string; readonly user_id: number }): Route {
    const claimedBy = this.#claims.get(session.session_id);
    const claimer = claimedBy === undefined ? undefined : this.#players.get(claimedBy);
    if (claimer && (claimer.userId === session.user_id || claimer.admin)) {
      return { ok: true, player: claimer };
    }
    const owners = [...this.#players.values()].filter((p) => p.userId === session.user_id);
    const only = owners.length === 1 ? owners[0] : undefined;
    if (only) return { ok: true, player: only };
    return { ok: false, reason: owners.length === 0 ? 'none' : 'ambiguous' };
  }
}
