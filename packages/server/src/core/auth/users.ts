/**
 * Accounts: create, list, change, disable and delete users, and one's own password. Every change
 * that takes access away (password, role, disabled, deleted) revokes at once what the user holds:
 * the token version is bumped (every JWT issued before fails its next check), browser sessions
 * are ended, and `onRevoked` listeners hear about it so open sockets are closed. The last active
 * admin can never be removed, demoted or disabled (the store checks it inside the write): someone
 * must be able to sign in and fix things.
 */
import { randomBytes } from 'node:crypto';
import { MarqueeError } from '@marquee/sdk';
import type { Role, Store, UserRecord } from '../store/types';
import { hashPassword, verifyPassword } from './passwords';
import type { Sessions } from './sessions';

/** What listeners hear when a user loses access: the user and the display tokens that went. */
export interface UserRevocation {
  readonly userId: number;
  /** Display tokens the user created that were deleted with it (only on delete). */
  readonly displayTokenIds: readonly string[];
  /** A browser session that stays (the one that changed its own password). */
  readonly keptSessionToken?: string;
}

export type UserRevokedListener = (revocation: UserRevocation) => void;

export interface UserChangeInput {
  readonly role?: Role;
  readonly password?: string;
  readonly disabled?: boolean;
}

export interface Users {
  list(filter?: { role?: Role }): Promise<UserRecord[]>;
  /** NOT_FOUND when there is no such user. */
  get(id: number): Promise<UserRecord>;
  /**
   * Creates a user; without `password` one is generated and returned once in `password`.
   * CONFLICT when the name is taken.
   */
  create(input: {
    username: string;
    role: Role;
    password?: string;
  }): Promise<{ user: UserRecord; password?: string }>;
  update(id: number, changes: UserChangeInput): Promise<UserRecord>;
  remove(id: number): Promise<void>;
  /**
   * Changes the caller's own password after checking the current one (INVALID_CREDENTIALS).
   * Every other session and token of the user is revoked; `keepSession` (the cookie of the
   * request) stays signed in.
   */
  changeOwnPassword(
    userId: number,
    current: string,
    next: string,
    keepSession?: string,
  ): Promise<void>;
  onRevoked(listener: UserRevokedListener): () => void;
}

export interface UsersOptions {
  readonly store: Store;
  readonly sessions: Pick<Sessions, 'destroyAllOf'>;
  readonly now: () => Date;
  /** Called when a listener throws; the others still run. */
  readonly onListenerError?: (error: unknown) => void;
}

/** A generated password: 18 random bytes, 24 base64url characters. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export function createUsers(options: UsersOptions): Users {
  const { store, sessions, now } = options;
  const listeners = new Set<UserRevokedListener>();

  const found = async (id: number): Promise<UserRecord> => {
    const user = await store.users.findById(id);
    if (user === undefined) throw new MarqueeError('NOT_FOUND', `User ${id} not found`);
    return user;
  };

  const revoke = async (revocation: UserRevocation): Promise<void> => {
    await sessions.destroyAllOf(revocation.userId, revocation.keptSessionToken);
    for (const listener of listeners) {
      try {
        listener(revocation);
      } catch (error) {
        options.onListenerError?.(error);
      }
    }
  };

  return {
    list: (filter) => store.users.list(filter),
    get: found,

    async create({ username, role, password }) {
      const chosen = password ?? generatePassword();
      const user = await store.users.create({
        username,
        role,
        passwordHash: await hashPassword(chosen),
      });
      return password === undefined ? { user, password: chosen } : { user };
    },

    async update(id, changes) {
      const user = await found(id);
      const disabledAt =
        changes.disabled === undefined
          ? undefined
          : changes.disabled
            ? (user.disabledAt ?? now().toISOString())
            : null;
      const updated = await store.users.update(id, {
        ...(changes.role === undefined ? {} : { role: changes.role }),
        ...(changes.password === undefined
          ? {}
          : { passwordHash: await hashPassword(changes.password) }),
        ...(disabledAt === undefined ? {} : { disabledAt }),
      });
      if (updated === undefined) throw new MarqueeError('NOT_FOUND', `User ${id} not found`);
      await revoke({ userId: id, displayTokenIds: [] });
      return updated;
    },

    async remove(id) {
      await found(id);
      const displayTokenIds = await store.displayTokens.idsCreatedBy(id);
      if (!(await store.users.remove(id)))
        throw new MarqueeError('NOT_FOUND', `User ${id} not found`);
      await revoke({ userId: id, displayTokenIds });
    },

    async changeOwnPassword(userId, current, next, keepSession) {
      const user = await found(userId);
      if (!(await verifyPassword(current, user.passwordHash))) {
        throw new MarqueeError('INVALID_CREDENTIALS', 'The current password is wrong');
      }
      await store.users.update(userId, { passwordHash: await hashPassword(next) });
      await revoke({
        userId,
        displayTokenIds: [],
        ...(keepSession === undefined ? {} : { keptSessionToken: keepSession }),
      });
    },

    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
