/**
 * Pairing a screen (see the SDK's `protocol/signage/pairing.ts` for the flow). What the server
 * keeps: the pairing (its code, the SHA-256 of the poll secret, what the operator approved) and,
 * per paired serial, the device account bound to it. No password is ever stored in the clear:
 * approval creates the account with an unusable random password, and the screen's poll sets a
 * fresh one and answers it, once, deleting the pairing. Re-pairing a serial rotates that same
 * account's password, which revokes the old screen's tokens and closes its socket.
 */
import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { MarqueeError, protocol } from '@marquee/sdk';
import { generatePassword, type Users } from '../../core/auth';
import { generateSecret, sha256Hex } from '../../core/auth/secrets';
import type { UsersRepository } from '../../core/store';
import type { FleetEvents } from './fleet-events';
import type { SignagePairingRecord, SignageRepositories } from './store';

const { PAIRING_CODE_ALPHABET } = protocol.signage;

/** The prefix of poll secrets (so a leaked one is recognisable, like `mqd_` display tokens). */
export const PAIRING_SECRET_PREFIX = 'mqp_';

/** How often a screen without `wait` should poll, in seconds. */
const POLL_INTERVAL_SECONDS = 5;

/** While a long poll waits, the store is re-read this often (another instance may approve). */
const RECHECK_MS = 1000;

export interface PairingOptions {
  readonly store: Pick<SignageRepositories, 'pairings' | 'deviceAccounts' | 'devices'>;
  readonly users: Pick<Users, 'create' | 'update'>;
  readonly accounts: Pick<UsersRepository, 'findByUsername' | 'findById'>;
  /** Unix ms: the stored `created_at` / `expires_at` (shared with other instances). */
  readonly now: () => number;
  /** A long poll's wait, a duration (core/clock.ts). */
  readonly monotonic: () => number;
  readonly ttlSeconds: number;
  /** Pending codes at once; beyond it a new request is answered 503. */
  readonly maxPending: number;
  /** Long polls held open at once; beyond it a poll answers at once. */
  readonly maxWaiting: number;
  /** Where codes pending, approved and rejected are announced to operator consoles. */
  readonly events?: FleetEvents;
}

type Started = protocol.signage.PairingStarted;
type Status = protocol.signage.PairingStatus;
type Approved = protocol.signage.ApprovedPairing;

/** `ABCDEF23` → `ABCD-EF23`. */
export function formatCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

function drawCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++)
    code += PAIRING_CODE_ALPHABET[randomInt(PAIRING_CODE_ALPHABET.length)];
  return code;
}

/** The account name for a serial: `tv-` and the serial in the user-name alphabet. */
export function deviceUsername(snNumber: string, attempt = 1): string {
  const base = `tv-${snNumber.replace(/[^\w.@+-]/g, '_')}`.slice(0, 145);
  return attempt === 1 ? base : `${base}-${attempt}`;
}

const gone = () =>
  new MarqueeError('NOT_FOUND', 'No such pairing: unknown, expired, rejected or already delivered');

export class Pairing {
  readonly #options: PairingOptions;
  /** Long polls waiting on this instance, by pairing id. */
  readonly #waiting = new Map<string, Set<() => void>>();
  #waitingCount = 0;

  constructor(options: PairingOptions) {
    this.#options = options;
  }

  get #at(): string {
    return new Date(this.#options.now()).toISOString();
  }

  async start(body: protocol.signage.PairingRequestBody, ip: string): Promise<Started> {
    const { pairings } = this.#options.store;
    const at = this.#at;
    await pairings.deleteExpired(at);
    if ((await pairings.countPending(at)) >= this.#options.maxPending) {
      throw new MarqueeError(
        'SERVICE_UNAVAILABLE',
        'Too many pairings are pending; try again later',
      );
    }
    const secret = generateSecret(PAIRING_SECRET_PREFIX);
    const record = {
      id: randomUUID(),
      secretHash: sha256Hex(secret),
      snHint: body.sn_number ?? null,
      hint: body.hint ?? null,
      ip,
      createdAt: at,
      expiresAt: new Date(this.#options.now() + this.#options.ttlSeconds * 1000).toISOString(),
    };
    // 31^8 codes: a clash among a thousand pending ones is rare; draw again when it happens.
    for (let attempt = 0; ; attempt++) {
      const code = drawCode();
      try {
        await pairings.create({ ...record, code });
        this.#options.events?.emit({ type: 'pairing', change: 'pending', code: formatCode(code) });
        return {
          code: formatCode(code),
          id: record.id,
          secret,
          expires_in: this.#options.ttlSeconds,
          poll_interval: POLL_INTERVAL_SECONDS,
        };
      } catch (error) {
        if (!(error instanceof MarqueeError && error.code === 'CONFLICT') || attempt >= 5) {
          throw error;
        }
      }
    }
  }

  /** The screen's poll: pending (after up to `waitSeconds`), or its credentials, once. */
  async poll(id: string, secret: string | undefined, waitSeconds = 0): Promise<Status> {
    // On the monotonic clock: a wall clock stepped back must not hold the poll open for the step.
    const deadline = this.#options.monotonic() + waitSeconds * 1000;
    for (;;) {
      const pairing = await this.#own(id, secret);
      if (pairing.approval !== null) return this.#deliver(pairing, pairing.approval);
      const left = deadline - this.#options.monotonic();
      if (left <= 0 || !(await this.#wait(id, Math.min(left, RECHECK_MS)))) {
        const expiresIn = Math.max(0, Date.parse(pairing.expiresAt) - this.#options.now());
        return { status: 'pending', expires_in: Math.ceil(expiresIn / 1000) };
      }
    }
  }

  async listPending(): Promise<protocol.signage.PendingPairing[]> {
    const pending = await this.#options.store.pairings.listPending(this.#at);
    return pending.map((p) => ({
      code: formatCode(p.code),
      sn_number: p.snHint,
      hint: p.hint,
      ip: p.ip,
      created_at: p.createdAt,
      expires_at: p.expiresAt,
    }));
  }

  async approve(code: string, snNumber: string, name: string): Promise<Approved> {
    const { store } = this.#options;
    const pairing = await store.pairings.findPending(code, this.#at);
    if (pairing === undefined) throw gone();
    const { id: userId, username } = await this.#accountFor(snNumber);
    await store.deviceAccounts.bind({ userId, snNumber, name, pairedAt: this.#at });
    // A screen that registered before (with another account) is handed to this one.
    const device = await store.devices.find(snNumber);
    if (device !== undefined && device.ownerUserId !== userId) {
      await store.devices.setOwner(snNumber, userId);
    }
    await store.pairings.approve(pairing.id, { userId, snNumber });
    this.#wake(pairing.id);
    this.#options.events?.emit({
      type: 'pairing',
      change: 'approved',
      code: formatCode(code),
      sn_number: snNumber,
    });
    return { code: formatCode(code), sn_number: snNumber, name, username };
  }

  async reject(code: string): Promise<void> {
    const pairing = await this.#options.store.pairings.findPending(code, this.#at);
    if (pairing === undefined || !(await this.#options.store.pairings.delete(pairing.id))) {
      throw gone();
    }
    this.#wake(pairing.id);
    this.#options.events?.emit({ type: 'pairing', change: 'rejected', code: formatCode(code) });
  }

  /** The pairing `id` if `secret` is its own; NOT_FOUND when gone, UNAUTHORIZED otherwise. */
  async #own(id: string, secret: string | undefined): Promise<SignagePairingRecord> {
    const pairing = await this.#options.store.pairings.findById(id);
    if (pairing === undefined || Date.parse(pairing.expiresAt) <= this.#options.now()) {
      throw gone();
    }
    const given = Buffer.from(sha256Hex(secret ?? ''), 'hex');
    if (!timingSafeEqual(given, Buffer.from(pairing.secretHash, 'hex'))) {
      throw new MarqueeError('UNAUTHORIZED', "No secret, or not this pairing's");
    }
    return pairing;
  }

  /** Sets a fresh password on the approved account and answers it; the pairing is spent. */
  async #deliver(
    pairing: SignagePairingRecord,
    approval: { userId: number; snNumber: string },
  ): Promise<Status> {
    const { store, users } = this.#options;
    // Whoever deletes it delivers: two polls racing cannot both get a password.
    if (!(await store.pairings.delete(pairing.id))) throw gone();
    const password = generatePassword();
    const account = await users.update(approval.userId, { password });
    const binding = await store.deviceAccounts.findByUser(approval.userId);
    return {
      status: 'approved',
      sn_number: approval.snNumber,
      name: binding?.name ?? approval.snNumber,
      username: account.username,
      password,
    };
  }

  /** The serial's device account: the bound one, or a new one named after the serial. */
  async #accountFor(snNumber: string): Promise<{ id: number; username: string }> {
    const { store, users, accounts } = this.#options;
    const bound = await store.deviceAccounts.findBySerial(snNumber);
    const boundAccount = bound && (await accounts.findById(bound.userId));
    if (boundAccount) {
      // An admin may have given the account another role since: never hand that to a screen.
      if (boundAccount.role !== 'device') {
        throw new MarqueeError(
          'CONFLICT',
          `${snNumber} is paired with ${boundAccount.username}, which is no longer a device account`,
        );
      }
      return boundAccount;
    }
    for (let attempt = 1; attempt <= 9; attempt++) {
      const username = deviceUsername(snNumber, attempt);
      const existing = await accounts.findByUsername(username);
      // Its password is never told: the screen's poll sets the one it receives.
      if (existing === undefined) return (await users.create({ username, role: 'device' })).user;
      const other = await store.deviceAccounts.findByUser(existing.id);
      if (existing.role === 'device' && other === undefined) return existing;
    }
    throw new MarqueeError(
      'CONFLICT',
      `No free account name for ${snNumber}: ${deviceUsername(snNumber)} and its variants are taken`,
    );
  }

  /** Waits up to `ms` for a change to pairing `id` here; false when no slot was free. */
  #wait(id: string, ms: number): Promise<boolean> {
    if (this.#waitingCount >= this.#options.maxWaiting) return Promise.resolve(false);
    this.#waitingCount += 1;
    return new Promise((resolve) => {
      const set = this.#waiting.get(id) ?? new Set<() => void>();
      this.#waiting.set(id, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.#waiting.delete(id);
        this.#waitingCount -= 1;
        resolve(true);
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  #wake(id: string): void {
    for (const done of [...(this.#waiting.get(id) ?? [])]) done();
  }
}
