/**
 * New WebSocket connections per client address per second (`MARQUEE_WS_CONNECTS_PER_IP_PER_SECOND`),
 * checked before the handshake and before the channel authenticates anyone, so a client stuck in
 * a reconnect loop costs a 429 written on the raw socket instead of a token check per attempt.
 * The default (1000) sits above what one server accepts in a reconnect storm (bench/storm.ts:
 * 10,000 devices back in about 20 s), so a signage fleet behind one NAT address reconnecting after
 * a restart is paced by the server, not refused by this; a refused device is told to come back
 * within the second (`Retry-After: 1`).
 */
import { addressKey, isLoopback } from '../rate-limit/keys';
import { RetryLaterError } from '../rate-limit/retry-later';
import { LimitStore } from '../rate-limit/store';

export interface ConnectRateOptions {
  /** 0 = no limit. */
  readonly perSecond: number;
  readonly exemptLoopback: boolean;
  readonly maxKeys: number;
  /** Monotonic millisecond clock for the windows. @default performance.now */
  readonly now?: () => number;
}

/** Counts a connection attempt from `ip`; the refusal to send when it is one too many. */
export type ConnectRate = (ip: string) => RetryLaterError | undefined;

export function createConnectRate(options: ConnectRateOptions): ConnectRate {
  if (options.perSecond === 0) return () => undefined;
  const store = new LimitStore({ now: options.now, maxKeys: options.maxKeys });
  return (ip) => {
    if (options.exemptLoopback && isLoopback(ip)) return undefined;
    const { current, ttl } = store.hit(addressKey(ip), 1000);
    if (current <= options.perSecond) return undefined;
    return new RetryLaterError(
      'RATE_LIMITED',
      `More than ${options.perSecond} new connections per second from this address`,
      ttl,
    );
  };
}
