/**
 * Drives device-process.ts from the benchmark's process: N lightweight signage devices of one
 * server, the command load, the storm mark and the delivery audit (ledger.ts).
 */
import type { Audit } from './ledger';
import { Child } from './child';
import type {
  DeviceProcessData,
  DeviceReply,
  DeviceRequest,
  LoadRequest,
  StormBack,
} from './device-process';

export type DeviceStats = Extract<DeviceReply, { type: 'stats' }>;

/**
 * Loopback source addresses the devices spread over, so that repeated runs (sockets linger in
 * TIME_WAIT) never run out of ephemeral ports. Linux routes all of 127/8 to the loopback device;
 * elsewhere (macOS) only 127.0.0.1 is there.
 */
const LOCAL_ADDRESSES =
  process.platform === 'linux'
    ? Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`)
    : ['127.0.0.1'];

export interface DeviceFleetOptions {
  /** `http://127.0.0.1:<port>` of the server. */
  readonly url: string;
  readonly token: string;
  readonly count: number;
  /** Serial numbers are `<prefix><5 digits>`, 0-based. */
  readonly prefix: string;
  /** @default 200 */
  readonly concurrency?: number;
  /** How long the first connects may take. @default 120000 */
  readonly timeoutMs?: number;
}

export class DeviceFleet {
  readonly #child: Child<DeviceRequest, DeviceReply>;
  readonly count: number;

  private constructor(child: Child<DeviceRequest, DeviceReply>, count: number) {
    this.#child = child;
    this.count = count;
  }

  /** Starts the devices and resolves once each has connected (or throws with the first error). */
  static async start(options: DeviceFleetOptions): Promise<DeviceFleet> {
    const data: DeviceProcessData = {
      wsBase: options.url.replace(/^http/, 'ws'),
      token: options.token,
      serials: { prefix: options.prefix, count: options.count },
      concurrency: options.concurrency ?? 200,
      localAddresses: LOCAL_ADDRESSES,
    };
    const child = new Child<DeviceRequest, DeviceReply>(
      new URL('./device-process.ts', import.meta.url),
      data,
    );
    const fleet = new DeviceFleet(child, options.count);
    const connected = await child
      .next('connected', options.timeoutMs ?? 120_000)
      .catch(async (error: unknown) => {
        await child.kill();
        throw error;
      });
    if (connected.failed > 0) {
      await fleet.close();
      throw new Error(
        `${connected.failed} of ${options.count} devices could not connect: ${connected.firstError ?? '?'}`,
      );
    }
    return fleet;
  }

  stats(): Promise<DeviceStats> {
    return this.#child.request({ type: 'stats' }, 'stats', 30_000);
  }

  /** Starts the command load (open loop, `ratePerSecond`). */
  async startLoad(load: Omit<LoadRequest, 'type'>): Promise<void> {
    await this.#child.request({ type: 'load', ...load }, 'load', 30_000);
  }

  /** Stops the load; answers how many commands it posted. */
  async stopLoad(): Promise<number> {
    return (await this.#child.request({ type: 'load-stop' }, 'loaded', 30_000)).posted;
  }

  /**
   * Marks the start of a storm: resolves once the mark is set, with a promise of the moment every
   * device is back on a new socket.
   */
  async markStorm(timeoutMs: number): Promise<{ back: Promise<StormBack> }> {
    const back = this.#child.next('back', timeoutMs);
    back.catch(() => undefined);
    await this.#child.request({ type: 'storm' }, 'storm', 30_000);
    return { back };
  }

  /**
   * Waits (up to `waitMs`) until every accepted command and every device's copy of each broadcast
   * arrived, then counts.
   */
  audit(broadcasts: readonly string[], waitMs: number): Promise<Audit> {
    return this.#child.request(
      { type: 'audit', broadcasts: [...broadcasts], waitMs },
      'audit',
      waitMs + 30_000,
    );
  }

  async close(): Promise<void> {
    await this.#child.request({ type: 'close' }, 'closed', 30_000).catch(() => undefined);
    await this.#child.kill();
  }
}
