/**
 * Sign-in limits (DESIGN.md habit 14). Failed attempts are counted per client address and per
 * user name in fixed windows; a sign-in whose address or name is over its limit is refused with
 * 429 + Retry-After before its password is checked, so scrypt never runs for it. Successes are
 * not counted, so 10,000 TVs behind one NAT signing in correctly after a power cut are never
 * refused, while a password guesser is, from one address or from many. A success clears its user
 * name's failures (one typo too many is forgiven once the right password arrives) but not its
 * address's, so a valid account cannot buy an address fresh guesses at others. Token refreshes
 * count their failures per address as well; they cost no scrypt, so they skip the gate.
 *
 * Every password check passes through one gate (gate.ts): the limits are checked on arrival and
 * again when the check's turn comes, so a burst of guesses sent at once cannot all start before
 * the first failures are counted.
 */
import { MarqueeError } from '@marquee/sdk';
import { Gate } from './gate';
import { addressKey, isLoopback } from './keys';
import { RetryLaterError } from './retry-later';
import { LimitStore } from './store';

/** How long a sign-in refused for a full queue is asked to wait. */
const QUEUE_FULL_RETRY_MS = 5000;

export interface LoginLimitsOptions {
  /** Monotonic millisecond clock for the windows. @default performance.now */
  readonly now?: () => number;
  /** Failed sign-ins (and, counted apart, failed refreshes) per address per window; 0 = no limit. */
  readonly maxFailuresPerIp: number;
  /** Failed sign-ins per user name per window; 0 = no limit. */
  readonly maxFailuresPerUsername: number;
  readonly windowSeconds: number;
  /** Password checks at once. */
  readonly concurrency: number;
  /** Sign-ins waiting for a password check; beyond it 503 + Retry-After. */
  readonly maxQueued: number;
  /** Addresses and names remembered per counter. */
  readonly maxKeys: number;
  /** Loopback clients are not limited (tests that sign in from 127.0.0.1 on purpose). */
  readonly exemptLoopback: boolean;
}

export interface SignInAttempt {
  readonly ip: string;
  readonly username: string;
  /** True once the client went away; a queued attempt then never reaches scrypt. */
  readonly cancelled?: () => boolean;
}

interface Limit {
  readonly store: LimitStore;
  readonly key: string;
  readonly max: number;
}

export class LoginLimits {
  readonly #options: LoginLimitsOptions;
  readonly #windowMs: number;
  readonly #byIp: LimitStore;
  readonly #byUsername: LimitStore;
  readonly #refreshByIp: LimitStore;
  readonly #gate: Gate;

  constructor(options: LoginLimitsOptions) {
    this.#options = options;
    this.#windowMs = options.windowSeconds * 1000;
    const store = () => new LimitStore({ now: options.now, maxKeys: options.maxKeys });
    this.#byIp = store();
    this.#byUsername = store();
    this.#refreshByIp = store();
    this.#gate = new Gate({ concurrency: options.concurrency, maxWaiting: options.maxQueued });
  }

  /** Runs `verify` (the password check) unless a limit refuses it first; counts its failure. */
  async signIn<T>(attempt: SignInAttempt, verify: () => Promise<T>): Promise<T> {
    const exempt = this.#exempt(attempt.ip);
    // User names are unique ignoring case, so guesses at `Admin` count for `admin`.
    const name: Limit = {
      store: this.#byUsername,
      key: attempt.username.toLowerCase(),
      max: this.#options.maxFailuresPerUsername,
    };
    const address: Limit = {
      store: this.#byIp,
      key: addressKey(attempt.ip),
      max: this.#options.maxFailuresPerIp,
    };
    const limits = exempt ? [] : [address, name];
    this.#check(limits, 'Too many failed sign-ins');
    const release = await this.#gate.enter();
    if (release === undefined) {
      throw new RetryLaterError(
        'SERVICE_UNAVAILABLE',
        'Too many sign-ins in progress; try again shortly',
        QUEUE_FULL_RETRY_MS,
      );
    }
    try {
      if (attempt.cancelled?.() === true) {
        throw new MarqueeError(
          'BAD_REQUEST',
          'The client went away before its sign-in was checked',
        );
      }
      // Failures counted while this attempt waited its turn count now.
      this.#check(limits, 'Too many failed sign-ins');
      const result = await verify();
      if (!exempt) name.store.reset(name.key);
      return result;
    } catch (error) {
      if (isCode(error, 'INVALID_CREDENTIALS')) this.#count(limits);
      throw error;
    } finally {
      release();
    }
  }

  /** Runs `verify` (the refresh) unless `ip` has too many failed refreshes; counts its failure. */
  async refresh<T>(ip: string, verify: () => Promise<T>): Promise<T> {
    const limits = this.#exempt(ip)
      ? []
      : [{ store: this.#refreshByIp, key: addressKey(ip), max: this.#options.maxFailuresPerIp }];
    this.#check(limits, 'Too many failed token refreshes');
    try {
      return await verify();
    } catch (error) {
      if (isCode(error, 'UNAUTHORIZED') || isCode(error, 'TOKEN_EXPIRED')) this.#count(limits);
      throw error;
    }
  }

  #exempt(ip: string): boolean {
    return this.#options.exemptLoopback && isLoopback(ip);
  }

  /** Throws 429 when any limit is reached, asking the client to wait for the last to reopen. */
  #check(limits: readonly Limit[], what: string): void {
    let waitMs = 0;
    for (const { store, key, max } of limits) {
      if (max === 0) continue;
      const state = store.peek(key, this.#windowMs);
      if (state.current >= max) waitMs = Math.max(waitMs, state.ttl);
    }
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new RetryLaterError('RATE_LIMITED', `${what}; try again in ${seconds} s`, waitMs);
    }
  }

  #count(limits: readonly Limit[]): void {
    for (const { store, key, max } of limits) if (max > 0) store.hit(key, this.#windowMs);
  }
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof MarqueeError && error.code === code;
}
