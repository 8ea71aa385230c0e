/**
 * Network latency for the seed's `network.latency` (milliseconds): the time a TCP connection
 * attempt to a target takes to be answered. An accepted connection (SYN-ACK) and a refused one
 * (RST) are both one round trip, so a router that listens on nothing still answers; a target that
 * does not answer within the timeout, or cannot be reached, gives `null`.
 *
 * The target is `MARQUEE_MONITORING_LATENCY_TARGET`: `gateway` (the default: the IPv4 default
 * gateway from `/proc/net/route`, port 53), `host:port`, or `off`. One attempt every
 * `intervalMs`; the newest result is what the metrics show.
 */
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import type { MonotonicClock } from '../../core/clock';

export type LatencyTarget = 'gateway' | 'off' | { readonly host: string; readonly port: number };

/** The port tried on the gateway: DNS, which home routers usually serve. */
export const GATEWAY_PORT = 53;
const RTF_GATEWAY = 0x2;

/** The IPv4 default gateway in a `/proc/net/route` table, or undefined when it has none. */
export function defaultGatewayOf(table: string): string | undefined {
  for (const line of table.split('\n').slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/);
    if (destination !== '00000000' || gateway === undefined || flags === undefined) continue;
    if ((Number.parseInt(flags, 16) & RTF_GATEWAY) === 0 || !/^[0-9A-Fa-f]{8}$/.test(gateway)) {
      continue;
    }
    // Little-endian hex: 010200C0 is 192.0.2.1.
    const bytes = [6, 4, 2, 0].map((i) => Number.parseInt(gateway.slice(i, i + 2), 16));
    return bytes.join('.');
  }
  return undefined;
}

/** Milliseconds until `host:port` answers a connection attempt (accepted or refused), or null. */
export function connectTime(
  host: string,
  port: number,
  timeoutMs: number,
  monotonic: MonotonicClock,
): Promise<number | null> {
  return new Promise((resolve) => {
    const started = monotonic();
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered ? Math.max(0, monotonic() - started) : null);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });
}

export interface LatencyProbeOptions {
  readonly target: LatencyTarget;
  readonly intervalMs: number;
  readonly timeoutMs?: number;
  readonly monotonic: MonotonicClock;
  /** Reads the route table (tests). @default `/proc/net/route` */
  readonly routeTable?: () => Promise<string>;
}

export class LatencyProbe {
  #latest: number | null = null;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  readonly #options: LatencyProbeOptions;

  constructor(options: LatencyProbeOptions) {
    this.#options = options;
  }

  /** The newest measurement in ms (one decimal), or null. */
  get latest(): number | null {
    return this.#latest;
  }

  /** Measures now and then every `intervalMs`, until `stop`. */
  start(): void {
    if (this.#options.target === 'off' || this.#timer !== undefined) return;
    void this.measure();
    this.#timer = setInterval(() => void this.measure(), this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One attempt (skipped while one is in flight); resolves with the new value. */
  async measure(): Promise<number | null> {
    if (this.#running) return this.#latest;
    this.#running = true;
    try {
      const target = await this.#resolve();
      const ms =
        target === undefined
          ? null
          : await connectTime(
              target.host,
              target.port,
              this.#options.timeoutMs ?? 2000,
              this.#options.monotonic,
            );
      this.#latest = ms === null ? null : Math.round(ms * 10) / 10;
      return this.#latest;
    } finally {
      this.#running = false;
    }
  }

  async #resolve(): Promise<{ host: string; port: number } | undefined> {
    const { target } = this.#options;
    if (target === 'off') return undefined;
    if (target !== 'gateway') return target;
    const read = this.#options.routeTable ?? (() => readFile('/proc/net/route', 'utf8'));
    const table = await read().catch(() => '');
    const gateway = defaultGatewayOf(table);
    return gateway === undefined ? undefined : { host: gateway, port: GATEWAY_PORT };
  }
}
