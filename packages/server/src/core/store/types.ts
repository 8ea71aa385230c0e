import type { DatabaseSync } from 'node:sqlite';
import type { Migration } from './migrations';
import type { PostgresEngine } from './postgres/engine';
import type { Statements } from './sqlite/statements';

/**
 * The store interface every backend implements. The embedded default is SQLite through
 * `node:sqlite` (store/sqlite.ts); with `MARQUEE_DATABASE_URL` it is PostgreSQL (store/postgres.ts)
 * for a fleet that outgrows one machine. Every method is async. One repository per concept.
 */

/** A user's role (see the SDK's `protocol.core.Role` for what each may do). */
export type Role = 'admin' | 'operator' | 'viewer' | 'device';

export interface UserRecord {
  readonly id: number;
  readonly username: string;
  /** `scrypt$N$r$p$salt$hash` (see auth/passwords.ts). */
  readonly passwordHash: string;
  readonly role: Role;
  /** ISO 8601. */
  readonly createdAt: string;
  /** When the account was disabled; a disabled account cannot sign in or use any token. */
  readonly disabledAt: string | null;
  /**
   * Carried in every JWT issued to the user; bumping it (password, role or disabled changed)
   * revokes every token issued before.
   */
  readonly tokenVersion: number;
}

/** What `update` may change; each change bumps the token version. */
export interface UserChanges {
  readonly role?: Role;
  readonly passwordHash?: string;
  /** An ISO time disables the account; null enables it. */
  readonly disabledAt?: string | null;
}

export interface UsersRepository {
  count(): Promise<number>;
  /** Throws MarqueeError('CONFLICT') when the user name is taken (compared case-insensitively). */
  create(user: { username: string; passwordHash: string; role: Role }): Promise<UserRecord>;
  findById(id: number): Promise<UserRecord | undefined>;
  findByUsername(username: string): Promise<UserRecord | undefined>;
  /** Ordered by id; `role` filters. */
  list(filter?: { role?: Role }): Promise<UserRecord[]>;
  setPassword(id: number, passwordHash: string): Promise<void>;
  /**
   * Applies `changes` and bumps the token version; undefined when there is no such user.
   * CONFLICT when it would demote or disable the last active admin.
   */
  update(id: number, changes: UserChanges): Promise<UserRecord | undefined>;
  /**
   * Deletes the user (their sessions and display tokens go with them); false when absent.
   * CONFLICT for the last active admin.
   */
  remove(id: number): Promise<boolean>;
}

/** A scoped, revocable, read-only token for a display (panel, tablet, mirror). */
export interface DisplayTokenRecord {
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the secret, hex; the secret itself is shown once and never stored. */
  readonly tokenHash: string;
  /** Surfaces/topics the token may read, e.g. `now-playing`. */
  readonly scopes: readonly string[];
  readonly createdBy: number;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

export interface DisplayTokensRepository {
  create(token: Omit<DisplayTokenRecord, 'revokedAt' | 'lastUsedAt'>): Promise<DisplayTokenRecord>;
  list(): Promise<DisplayTokenRecord[]>;
  /** Ids of the tokens `userId` created (they go with the user when it is deleted). */
  idsCreatedBy(userId: number): Promise<string[]>;
  findById(id: string): Promise<DisplayTokenRecord | undefined>;
  findByHash(tokenHash: string): Promise<DisplayTokenRecord | undefined>;
  /**
   * Returns false when no such token exists. Revoking twice keeps the first `revokedAt` and
   * still returns true.
   */
  revoke(id: string, at: string): Promise<boolean>;
  touch(id: string, at: string): Promise<void>;
}

/** A finished playback session (seed 000 "historical playback stats"). */
export interface SessionHistoryRecord {
  readonly id: number;
  readonly sessionId: string;
  readonly userId: number;
  readonly username: string;
  readonly title: string;
  readonly mediaType: string;
  readonly path: string | null;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly watchedSeconds: number;
  readonly endReason: 'stopped' | 'expired' | 'finished';
}

export interface SessionHistoryRepository {
  add(record: Omit<SessionHistoryRecord, 'id'>): Promise<SessionHistoryRecord>;
  /** Newest first. */
  list(filter: {
    userId?: number;
    limit: number;
    before?: string;
  }): Promise<SessionHistoryRecord[]>;
}

/** Small key/value settings (generated secrets, schema version). */
export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /**
   * Stores `value` only when `key` has none yet and returns whichever value is stored. Two server
   * instances generating a secret at the same first start thus agree on one (get-then-set races).
   */
  setIfAbsent(key: string, value: string): Promise<string>;
}

/**
 * A browser sign-in (seed 004's session cookie). Only the SHA-256 of the 256-bit cookie secret is
 * stored, so a copy of the database does not hand out live sessions. Named "auth" sessions to keep
 * them apart from playback sessions (seed 000).
 */
export interface AuthSessionRecord {
  readonly id: number;
  readonly userId: number;
  /** SHA-256 of the cookie secret, hex. */
  readonly tokenHash: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface AuthSessionsRepository {
  create(session: Omit<AuthSessionRecord, 'id'>): Promise<AuthSessionRecord>;
  findByHash(tokenHash: string): Promise<AuthSessionRecord | undefined>;
  /** Returns false when no such session exists. */
  deleteByHash(tokenHash: string): Promise<boolean>;
  /** Removes every session with `expiresAt <= at`; returns how many went. */
  deleteExpired(at: string): Promise<number>;
  /** Ends every session of `userId` but the one with `exceptHash`; returns how many went. */
  deleteForUser(userId: number, exceptHash?: string): Promise<number>;
}

/**
 * The engine under a store, handed to the surfaces that keep tables of their own (each surface
 * module's `store` part builds its repositories on it, one implementation per engine).
 */
export interface SqliteEngine {
  readonly kind: 'sqlite';
  readonly db: DatabaseSync;
  /** The connection's prepared-statement cache. */
  readonly sql: Statements;
}
export type StoreEngine = SqliteEngine | PostgresEngine;

/**
 * A surface's own part of the store: its migrations (applied with core's when the store opens,
 * numbered in the surface's block, see migrations.ts) and its repositories, built on the engine.
 */
export interface SurfaceStore<Repositories> {
  readonly migrations: readonly Migration[];
  open(engine: StoreEngine): Repositories;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** For surface store parts; the core's own repositories are the fields below. */
  readonly engine: StoreEngine;
  readonly settings: SettingsRepository;
  readonly users: UsersRepository;
  readonly displayTokens: DisplayTokensRepository;
  readonly sessionHistory: SessionHistoryRepository;
  readonly authSessions: AuthSessionsRepository;
  /** Flushes and closes; later calls are no-ops. */
  close(): Promise<void>;
}
