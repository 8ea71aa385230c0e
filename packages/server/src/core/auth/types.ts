/**
 * Who is calling. One identity system for every surface: users (admin or not) sign in with a
 * password and get JWTs (seed 002's token endpoints) or a browser cookie; displays hold scoped,
 * revocable read-only tokens.
 */
import type { Role } from '../store/types';

export type Identity =
  | {
      readonly kind: 'user';
      readonly userId: number;
      readonly username: string;
      readonly role: Role;
      /**
       * `forward-auth`: named by a trusted proxy's `Remote-User` header (monitoring), with no
       * stored account behind it (`userId` 0).
       */
      readonly via?: 'forward-auth';
    }
  | {
      readonly kind: 'display';
      readonly tokenId: string;
      readonly name: string;
      readonly scopes: readonly string[];
    };

/** Seed 002's AuthModel. */
export interface TokenPair {
  readonly access: string;
  readonly refresh: string;
  readonly expires_in: number;
}
