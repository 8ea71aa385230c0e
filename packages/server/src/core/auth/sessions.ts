/**
 * Browser sessions (seed 004): a 256-bit random secret in the `marquee_session` cookie, stored
 * as its SHA-256 with a fixed expiry of `sessionExpiryHours`. Unlike seed 004's in-memory map,
 * sessions live in the store, so a restart does not sign every dashboard out.
 */
import { MarqueeError } from '@marquee/sdk';
import { type Store } from '../store/types';
import { generateSecret, hasSecretShape, sha256Hex } from './secrets';
import { type Identity } from './types';

export const SESSION_TOKEN_PREFIX = 'mqs_';

export type UserIdentity = Extract<Identity, { kind: 'user' }>;

export interface CreatedSession {
  /** The cookie value; shown once, never stored. */
  readonly token: string;
  readonly expiresAt: Date;
}

export interface Sessions {
  create(userId: number): Promise<CreatedSession>;
  /** Throws UNAUTHORIZED for an unknown, expired or orphaned session. */
  verify(token: string): Promise<UserIdentity>;
  /** Deletes the session; false when there was none. */
  destroy(token: string): Promise<boolean>;
  /** Ends every session of `userId`, except the one whose cookie is `keep`; how many went. */
  destroyAllOf(userId: number, keep?: string): Promise<number>;
}

export function createSessions(options: {
  store: Store;
  now: () => Date;
  expiryHours: number;
}): Sessions {
  const { store, now } = options;
  const ttlMs = Math.round(options.expiryHours * 3600 * 1000);

  return {
    async create(userId) {
      const createdAt = now();
      const expiresAt = new Date(createdAt.getTime() + ttlMs);
      // Sweeping at sign-in keeps the table small without a timer.
      await store.authSessions.deleteExpired(createdAt.toISOString());
      const token = generateSecret(SESSION_TOKEN_PREFIX);
      await store.authSessions.create({
        userId,
        tokenHash: sha256Hex(token),
        createdAt: createdAt.toISOString(),
        expiresAt: expiresAt.toISOString(),
      });
      return { token, expiresAt };
    },
    async verify(token) {
      const tokenHash = sha256Hex(token);
      const session = hasSecretShape(token, SESSION_TOKEN_PREFIX)
        ? await store.authSessions.findByHash(tokenHash)
        : undefined;
      if (session === undefined) throw new MarqueeError('UNAUTHORIZED', 'Invalid session');
      if (Date.parse(session.expiresAt) <= now().getTime()) {
        await store.authSessions.deleteByHash(tokenHash);
        throw new MarqueeError('UNAUTHORIZED', 'Session has expired');
      }
      const user = await store.users.findById(session.userId);
      if (user === undefined) throw new MarqueeError('UNAUTHORIZED', 'User no longer exists');
      if (user.disabledAt !== null) throw new MarqueeError('UNAUTHORIZED', 'Account is disabled');
      return { kind: 'user', userId: user.id, username: user.username, role: user.role };
    },
    destroy: (token) => store.authSessions.deleteByHash(sha256Hex(token)),
    destroyAllOf: (userId, keep) =>
      store.authSessions.deleteForUser(userId, keep === undefined ? undefined : sha256Hex(keep)),
  };
}
