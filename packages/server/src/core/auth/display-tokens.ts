/**
 * Display tokens: scoped, read-only, revocable bearer secrets for panels, tablets and mirrors
 * that cannot type a password. The secret (`mqd_` + 43 base64url chars) is returned once at
 * creation; the store keeps its SHA-256 only. Revocation takes effect on the next `verify` and
 * is announced to `onRevoked` listeners so already-open sockets can be closed at once.
 */
import { randomUUID } from 'node:crypto';
import { MarqueeError } from '@marquee/sdk';
import { type DisplayTokenRecord, type Store } from '../store/types';
import { generateSecret, hasSecretShape, sha256Hex } from './secrets';
import { type Identity } from './types';

export const DISPLAY_TOKEN_PREFIX = 'mqd_';

export type DisplayIdentity = Extract<Identity, { kind: 'display' }>;
export type RevokedListener = (tokenId: string) => void;

export interface DisplayTokens {
  create(input: {
    name: string;
    scopes: readonly string[];
    createdBy: number;
  }): Promise<{ token: string; record: DisplayTokenRecord }>;
  list(): Promise<DisplayTokenRecord[]>;
  /** False when no such token exists. Listeners hear about every successful revoke. */
  revoke(id: string): Promise<boolean>;
  /** Throws UNAUTHORIZED for an unknown, malformed or revoked token. */
  verify(token: string): Promise<DisplayIdentity>;
  /** Subscribes to revocations; returns the unsubscribe function. */
  onRevoked(listener: RevokedListener): () => void;
}

export interface DisplayTokensOptions {
  store: Store;
  now: () => Date;
  /**
   * `lastUsedAt` is written at most this often per token, so a panel polling every two seconds
   * does not turn every read into a disk write. @default 60000
   */
  touchIntervalMs?: number;
  /** Called when a revocation listener throws; the others still run. */
  onListenerError?: (error: unknown) => void;
}

export function createDisplayTokens(options: DisplayTokensOptions): DisplayTokens {
  const { store, now } = options;
  const touchIntervalMs = options.touchIntervalMs ?? 60_000;
  const listeners = new Set<RevokedListener>();

  return {
    async create({ name, scopes, createdBy }) {
      const token = generateSecret(DISPLAY_TOKEN_PREFIX);
      const record = await store.displayTokens.create({
        id: randomUUID(),
        name,
        tokenHash: sha256Hex(token),
        scopes: [...new Set(scopes)],
        createdBy,
        createdAt: now().toISOString(),
      });
      return { token, record };
    },
    list: () => store.displayTokens.list(),
    async revoke(id) {
      const revoked = await store.displayTokens.revoke(id, now().toISOString());
      if (revoked) {
        for (const listener of [...listeners]) {
          try {
            listener(id);
          } catch (error) {
            options.onListenerError?.(error);
          }
        }
      }
      return revoked;
    },
    async verify(token) {
      // The lookup is by hash of a 256-bit secret, so its timing reveals nothing useful.
      const record = hasSecretShape(token, DISPLAY_TOKEN_PREFIX)
        ? await store.displayTokens.findByHash(sha256Hex(token))
        : undefined;
      if (record === undefined) throw new MarqueeError('UNAUTHORIZED', 'Invalid display token');
      if (record.revokedAt !== null) {
        throw new MarqueeError('UNAUTHORIZED', 'Display token has been revoked');
      }
      const at = now();
      const sinceLastUse =
        record.lastUsedAt === null ? Infinity : at.getTime() - Date.parse(record.lastUsedAt);
      if (!(sinceLastUse < touchIntervalMs)) {
        await store.displayTokens.touch(record.id, at.toISOString());
      }
      return { kind: 'display', tokenId: record.id, name: record.name, scopes: record.scopes };
    },
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
