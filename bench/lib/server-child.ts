/**
 * Starts server-process.ts (Marquee or the plain `ws` baseline) and speaks to it. To profile the
 * server of a run, give it Node flags through `BENCH_SERVER_NODE_FLAGS`, e.g.
 * `BENCH_SERVER_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` or
 * `'--heapsnapshot-signal=SIGUSR2'` (then `kill -USR2 <pid>` while it holds the fleet).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Child } from './child';
import type { ServerProcessData, ServerReply, ServerRequest } from './server-process';

export type ServerStats = Extract<ServerReply, { type: 'stats' }>;

export class ServerChild {
  readonly #child: Child<ServerRequest, ServerReply>;
  readonly url: string;
  readonly port: number;
  /** From process start to listening, in ms. */
  readonly readyMs: number;

  private constructor(child: Child<ServerRequest, ServerReply>, url: string, readyMs: number) {
    this.#child = child;
    this.url = url;
    this.port = Number(new URL(url).port);
    this.readyMs = readyMs;
  }

  static async start(data: ServerProcessData, timeoutMs = 60_000): Promise<ServerChild> {
    const extra = process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter((f) => f !== '') ?? [];
    const child = new Child<ServerRequest, ServerReply>(
      new URL('./server-process.ts', import.meta.url),
      data,
      { execArgv: ['--expose-gc', ...extra] },
    );
    try {
      const listening = await child.next('listening', timeoutMs);
      return new ServerChild(child, listening.url, listening.readyMs);
    } catch (error) {
      await child.kill();
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.#child.process.pid;
  }

  /** Memory, CPU time and open device sockets; `gc` collects garbage first. */
  stats(gc = false): Promise<ServerStats> {
    return this.#child.request({ type: 'stats', gc }, 'stats', 30_000);
  }

  /** Waits until the server holds `count` device sockets (at most `timeoutMs`). */
  async waitForConnections(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.stats()).connections < count) {
      if (Date.now() > deadline) throw new Error(`the server never held ${count} devices`);
      await sleep(100);
    }
  }

  /** SIGKILL: no shutdown, no goodbye to the sockets; resolves once the process is gone. */
  kill(): Promise<void> {
    return this.#child.kill('SIGKILL');
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const timer = setTimeout(() => void this.kill(), graceMs);
    await this.#child.kill('SIGTERM');
    clearTimeout(timer);
  }
}
