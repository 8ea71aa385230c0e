/**
 * The key a socket counts against for MARQUEE_MAX_CONNECTIONS_PER_USER: one per user account
 * and one per display token; anonymous sockets (seed 000's open LAN dashboard) have none.
 */
import type { Identity } from './types';

export function principalOf(identity: Identity | undefined): string | undefined {
  if (identity === undefined) return undefined;
  if (identity.kind === 'display') return `display:${identity.tokenId}`;
  return identity.via === 'forward-auth' ? `proxy:${identity.username}` : `user:${identity.userId}`;
}
