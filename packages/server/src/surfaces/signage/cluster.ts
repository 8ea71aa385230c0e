/**
 * Signage across instances (`MARQUEE_REDIS_URL`; docs/deploy.md, "Several instances"). The store is
 * shared, so a command posted to any instance is stored once, in the one queue; what has to cross
 * is the nudge to deliver it, and it goes only to the instance holding the device's socket:
 *
 * - A device's socket is claimed in the bus registry (`signage-devices`) before its queue is
 *   flushed on connect. A command stored on another instance is stored before that instance looks
 *   up the holder, so whichever comes second sees the other: the flush on connect finds the
 *   command, or the lookup finds the new holder, which then flushes (`signage.flush`).
 * - Delivery and acks stay exactly as on one instance (commands.ts): the state guards in the
 *   shared store decide which flush writes a command, and the ack is committed there, where every
 *   instance's admin API reads it.
 * - A device that reconnects to another instance replaces its socket on the first one
 *   (`signage.replaced`: closed with REPLACED unless it holds the device again), and removing a
 *   device closes its socket wherever it is (`signage.disconnect`).
 * - After an outage of Redis every instance flushes its own devices: a nudge lost with the
 *   connection costs nothing but that flush.
 */
import { protocol } from '@marquee/sdk';
import type { ClusterBus } from '../../core/bus';
import type { SignageCommands } from './commands';
import type { DeviceConnections } from './connections';

export const DEVICE_REGISTRY = 'signage-devices';
const FLUSH = 'signage.flush';
const REPLACED = 'signage.replaced';
const DISCONNECT = 'signage.disconnect';

interface ClusterLogger {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface SignageClusterOptions {
  readonly bus: ClusterBus;
  readonly connections: DeviceConnections;
  readonly logger: ClusterLogger;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function field(payload: unknown, key: string): unknown {
  return typeof payload === 'object' && payload !== null
    ? (payload as Record<string, unknown>)[key]
    : undefined;
}

export class SignageCluster {
  readonly #bus: ClusterBus;
  readonly #connections: DeviceConnections;
  readonly #logger: ClusterLogger;
  #commands: SignageCommands | undefined;
  readonly #stops: (() => void)[] = [];

  constructor(options: SignageClusterOptions) {
    this.#bus = options.bus;
    this.#connections = options.connections;
    this.#logger = options.logger;
  }

  /** Starts answering the other instances (once the command queue exists). */
  start(commands: SignageCommands): void {
    this.#commands = commands;
    const { bus } = this;
    this.#stops.push(
      bus.on(FLUSH, (payload) => {
        for (const sn of strings(field(payload, 'sn_numbers'))) this.#flush(sn);
      }),
      bus.on(REPLACED, (payload) => {
        const sn = field(payload, 'sn_number');
        if (typeof sn === 'string') void this.#replaced(sn);
      }),
      bus.on(DISCONNECT, (payload) => {
        const sn = field(payload, 'sn_number');
        if (typeof sn !== 'string') return;
        this.#connections.disconnect(sn, protocol.CloseCodes.DEVICE_REMOVED, 'Device removed');
        bus.release(DEVICE_REGISTRY, sn);
      }),
      // What a lost nudge would have delivered: each device here flushes its queue once.
      bus.onReconnect(() => {
        for (const sn of this.#connections.online()) this.#flush(sn);
      }),
    );
  }

  get bus(): ClusterBus {
    return this.#bus;
  }

  #flush(sn: string): void {
    if (!this.#connections.isOnline(sn)) return;
    this.#commands?.flush(sn).catch(() => undefined); // logged by flush
  }

  /** Another instance took the device: close ours, unless the device came back here since. */
  async #replaced(sn: string): Promise<void> {
    if (!this.#connections.isOnline(sn)) return;
    const holder = (await this.#bus.holders(DEVICE_REGISTRY, [sn]).catch(() => undefined))?.get(sn);
    if (holder === undefined || holder === this.#bus.nodeId) return;
    this.#connections.disconnect(
      sn,
      protocol.CloseCodes.REPLACED,
      'Replaced by a newer connection',
    );
  }

  /** A device's socket opened here: claim it (before its queue is flushed). */
  async attached(sn: string): Promise<void> {
    if (!this.#bus.clustered) return;
    try {
      const previous = await this.#bus.claim(DEVICE_REGISTRY, sn);
      if (previous !== undefined) this.#bus.sendTo(previous, REPLACED, { sn_number: sn });
    } catch (error) {
      // Redis is away: the device is served here; the claim is asserted when it is back.
      this.#logger.debug({ err: error, sn_number: sn }, 'device claim not recorded yet');
    }
  }

  /** The device's socket here closed. */
  detached(sn: string): void {
    if (this.#bus.clustered) this.#bus.release(DEVICE_REGISTRY, sn);
  }

  /** Nudges the instances holding these devices (not here) to flush their queues. */
  async route(snNumbers: readonly string[]): Promise<void> {
    if (!this.#bus.clustered || snNumbers.length === 0) return;
    const holders = await this.#bus.holders(DEVICE_REGISTRY, snNumbers);
    const byNode = new Map<string, string[]>();
    for (const [sn, node] of holders) {
      if (node === this.#bus.nodeId) {
        this.#flush(sn);
        continue;
      }
      const list = byNode.get(node) ?? [];
      byNode.set(node, list);
      list.push(sn);
    }
    for (const [node, sns] of byNode) this.#bus.sendTo(node, FLUSH, { sn_numbers: sns });
  }

  /** Closes the device's socket on whichever instance holds it. */
  async disconnect(sn: string): Promise<void> {
    if (this.#connections.disconnect(sn, protocol.CloseCodes.DEVICE_REMOVED, 'Device removed')) {
      this.detached(sn);
      return;
    }
    if (!this.#bus.clustered) return;
    const holder = (await this.#bus.holders(DEVICE_REGISTRY, [sn]).catch(() => undefined))?.get(sn);
    if (holder !== undefined) this.#bus.sendTo(holder, DISCONNECT, { sn_number: sn });
  }

  /**
   * Which of `snNumbers` have a socket open on some instance (all devices when omitted). Without
   * Redis (or while it is away), those connected here.
   */
  async online(snNumbers?: readonly string[]): Promise<Set<string>> {
    const here = this.#connections.online();
    const wanted = snNumbers === undefined ? undefined : new Set(snNumbers);
    const result = new Set(wanted === undefined ? here : here.filter((sn) => wanted.has(sn)));
    if (!this.#bus.clustered) return result;
    try {
      const held =
        snNumbers === undefined
          ? await this.#bus.held(DEVICE_REGISTRY)
          : await this.#bus.holders(DEVICE_REGISTRY, snNumbers);
      for (const sn of held.keys()) result.add(sn);
    } catch (error) {
      this.#logger.debug({ err: error }, 'online devices of other instances unknown (Redis away)');
    }
    return result;
  }

  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }
}
