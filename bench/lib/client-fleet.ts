/**
 * Drives client-process.ts from the benchmark's process: starts N counting clients in a child
 * process, and runs paced broadcast rounds against them. A round is one message to every client; the
 * publisher keeps at most `window` rounds outstanding (published, not yet received by every
 * client), so neither server queues nor drops: what is measured is sustained delivery, not how
 * fast a server can stuff socket buffers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSince, cpuTime } from './cpu';
import type { ClientProcessData, ClientReply, ClientRequest } from './client-process';

type Stats = Extract<ClientReply, { type: 'stats' }>;

interface Waiter {
  readonly resolve: (reply: ClientReply) => void;
  readonly reject: (error: Error) => void;
}

export interface RoundsResult {
  /** Rounds every client received. */
  readonly rounds: number;
  /** rounds × clients */
  readonly deliveries: number;
  readonly elapsedMs: number;
  readonly deliveriesPerSecond: number;
  /** CPU time of the publishing (server) thread during the rounds. */
  readonly serverCpuMicros: number;
  /**
   * CPU time of the whole publishing (server) process during the rounds, every thread and the
   * child processes it reaped (a sampler's `df`) included; see cpu.ts.
   */
  readonly serverProcessCpuMicros: number;
  /** CPU time of the client process during the rounds. */
  readonly clientCpuMicros: number;
  readonly clientStats: Stats;
}

export class ClientFleet {
  readonly #child: ChildProcess;
  readonly #waiters = new Map<ClientReply['type'], Waiter[]>();
  #failure: Error | undefined;
  #onDelivered: ((count: number) => void) | undefined;
  readonly connected: Promise<Extract<ClientReply, { type: 'connected' }>>;

  private constructor(data: ClientProcessData) {
    // The same loader flags (tsx, the source condition) as this process, so the child runs TS.
    this.#child = fork(
      fileURLToPath(new URL('./client-process.ts', import.meta.url)),
      [JSON.stringify(data)],
      {
        execArgv: process.execArgv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    this.#child.on('message', (reply: ClientReply) => {
      if (reply.type === 'delivered') {
        this.#onDelivered?.(reply.count);
        return;
      }
      this.#waiters.get(reply.type)?.shift()?.resolve(reply);
    });
    const fail = (error: Error) => {
      this.#failure = error;
      for (const list of this.#waiters.values()) for (const w of list.splice(0)) w.reject(error);
    };
    this.#child.on('error', fail);
    this.#child.on('exit', (code, signal) => {
      fail(new Error(`client process exited (${signal ?? code ?? '?'})`));
    });
    this.connected = this.#next('connected');
  }

  /** Starts `count` clients of `url` and resolves once every handshake ended. */
  static async start(url: string, count: number, concurrency = 200): Promise<ClientFleet> {
    const fleet = new ClientFleet({ url, count, concurrency });
    const connected = await fleet.connected;
    if (connected.failed > 0) {
      await fleet.close();
      throw new Error(
        `${connected.failed} of ${count} clients could not connect: ${connected.firstError ?? '?'}`,
      );
    }
    return fleet;
  }

  stats(): Promise<Stats> {
    return this.#request({ type: 'stats' }, 'stats');
  }

  /** Waits until every client received at least `count` frames (e.g. the greeting snapshot). */
  async waitForEach(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await this.stats();
      if (stats.minCount >= count) return;
      if (Date.now() > deadline) {
        throw new Error(`clients still waiting for frame ${count} after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Runs rounds for about `durationMs`: `publish()` sends one message to every client (it must
   * be synchronous or nearly), at most `window` rounds outstanding. Ends once the last round
   * published has reached every client.
   */
  async runRounds(publish: () => void, durationMs: number, window = 4): Promise<RoundsResult> {
    await this.#request({ type: 'reset' }, 'reset');
    const cpuBefore = process.threadCpuUsage();
    const processBefore = cpuTime();
    const started = performance.now();
    let published = 0;
    let delivered = 0;
    let stopping = false;
    let guard: ReturnType<typeof setTimeout> | undefined;
    const done = new Promise<void>((resolve, reject) => {
      const fill = () => {
        while (!stopping && published - delivered < window) {
          published += 1;
          publish();
        }
      };
      this.#onDelivered = (count) => {
        delivered = count;
        if (!stopping && performance.now() - started >= durationMs) stopping = true;
        if (stopping) {
          if (delivered >= published) resolve();
          return;
        }
        fill();
      };
      guard = setTimeout(
        () => reject(new Error(`rounds stalled: ${delivered} of ${published} delivered`)),
        durationMs + 30_000,
      );
      fill();
    });
    try {
      await done;
    } finally {
      clearTimeout(guard);
    }
    const elapsedMs = performance.now() - started;
    const cpu = process.threadCpuUsage(cpuBefore);
    const processCpu = cpuSince(processBefore);
    this.#onDelivered = undefined;
    const clientStats = await this.stats();
    const clients = clientStats.open;
    return {
      rounds: delivered,
      deliveries: delivered * clients,
      elapsedMs,
      deliveriesPerSecond: (delivered * clients * 1000) / elapsedMs,
      serverCpuMicros: cpu.user + cpu.system,
      serverProcessCpuMicros: processCpu,
      clientCpuMicros: clientStats.cpuMicros,
      clientStats,
    };
  }

  async close(): Promise<void> {
    if (this.#failure === undefined) await this.#request({ type: 'close' }, 'closed');
    // Waited for, so the child's CPU is in this process's children time before anything that
    // measures it starts (cpu.ts).
    const exited =
      this.#child.exitCode !== null || this.#child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill();
    await exited;
  }

  #request<T extends ClientReply['type']>(
    request: ClientRequest,
    reply: T,
  ): Promise<Extract<ClientReply, { type: T }>> {
    const answer = this.#next(reply);
    this.#child.send(request);
    return answer;
  }

  #next<T extends ClientReply['type']>(type: T): Promise<Extract<ClientReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.#failure !== undefined) {
        reject(this.#failure);
        return;
      }
      const list = this.#waiters.get(type) ?? [];
      this.#waiters.set(type, list);
      list.push({
        resolve: (reply) => resolve(reply as Extract<ClientReply, { type: T }>),
        reject,
      });
    });
  }
}
