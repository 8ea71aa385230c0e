/**
 * Concurrent sockets per principal: a signed-in user or a display token, as a channel names it
 * (`ChannelHandler.identityOf`, keyed by `principalOf`). The per-IP limit cannot tell 10,000 TVs behind one NAT from one
 * runaway script, and a leaked display token could otherwise hold sockets without bound; this
 * caps what one account holds, on every channel together. A slot is taken after `authorize`,
 * before the handshake, and held until the raw socket closes, whichever way it ends.
 */
import type { Duplex } from 'node:stream';

export interface PrincipalLimit {
  /** Holds a slot for `principal` until `socket` closes; false (nothing held) at the limit. */
  acquire(principal: string, socket: Duplex): boolean;
}

/** `max` sockets per principal; 0 means no limit (nothing is counted). */
export function createPrincipalLimit(max: number): PrincipalLimit {
  const held = new Map<string, number>();
  return {
    acquire(principal, socket) {
      if (max === 0) return true;
      const count = held.get(principal) ?? 0;
      if (count >= max) return false;
      held.set(principal, count + 1);
      socket.once('close', () => {
        const left = (held.get(principal) ?? 1) - 1;
        if (left > 0) held.set(principal, left);
        else held.delete(principal);
      });
      return true;
    },
  };
}
