/**
 * What `marquee user` needs from wherever the accounts are: the store in the data directory
 * (local.ts) or a running server's admin API (remote.ts). Both answer in the API's shapes, so
 * the command prints the same either way, and both throw MarqueeErrors with the same messages.
 */
import { MarqueeError, type protocol } from '@marquee/sdk';

type User = protocol.core.User;

export interface UserBackend {
  /** Ordered by id; `role` filters. */
  list(role?: User['role']): Promise<User[]>;
  /** The account of that name (compared ignoring case, as the store does); NOT_FOUND otherwise. */
  find(username: string): Promise<User>;
  /** Without `password` one is generated and returned once in `password`. */
  create(input: protocol.core.CreateUser): Promise<protocol.core.CreatedUser>;
  /** Revokes the account's tokens and sessions (and, through a server, closes its sockets). */
  update(id: number, changes: { password?: string; disabled?: boolean }): Promise<User>;
  remove(id: number): Promise<void>;
  /**
   * The admin name whose password the server resets (or whose account it recreates) from
   * DASHBOARD_AUTH_PASSWORD on its next start, when the configuration sets one.
   */
  readonly configuredAdmin?: string;
  close(): Promise<void>;
}

export function noSuchUser(username: string): MarqueeError {
  return new MarqueeError('NOT_FOUND', `No user named "${username}"`);
}
