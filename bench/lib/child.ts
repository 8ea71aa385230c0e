/**
 * A benchmark's child process (a server, or a fleet of devices), spoken to over the IPC channel:
 * messages are objects with a `type`; `request` sends one and resolves with the next reply of
 * the named type, `next` waits for an unprompted one, `on` watches one kind. The child runs with
 * the same loader flags as this process (tsx, the `@marquee/source` condition), so it runs TS.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Typed {
  readonly type: string;
}

interface Waiter<Reply> {
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

export interface ChildOptions {
  /** Node flags after the inherited ones (`--expose-gc`, `--cpu-prof` ...). */
  readonly execArgv?: readonly string[];
}

export class Child<Request extends Typed, Reply extends Typed> {
  readonly process: ChildProcess;
  /** Resolves once the process exited, with its code or signal. */
  readonly exited: Promise<string>;
  readonly #waiters = new Map<string, Waiter<Reply>[]>();
  readonly #watchers = new Map<string, (reply: Reply) => void>();
  #failure: Error | undefined;

  constructor(script: URL, data: unknown, options: ChildOptions = {}) {
    this.process = fork(fileURLToPath(script), [JSON.stringify(data)], {
      execArgv: [...process.execArgv, ...(options.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (reply: Reply) => {
      const watcher = this.#watchers.get(reply.type);
      if (watcher !== undefined) {
        watcher(reply);
        return;
      }
      this.#waiters.get(reply.type)?.shift()?.resolve(reply);
    });
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        const how = signal ?? String(code ?? '?');
        this.#fail(new Error(`${fileURLToPath(script)} exited (${how})`));
        resolve(how);
      });
    });
    this.process.on('error', (error) => this.#fail(error));
  }

  /** Sends `request` and resolves with the next reply of type `reply`. */
  request<T extends Reply['type']>(
    request: Request,
    reply: T,
    timeoutMs?: number,
  ): Promise<Extract<Reply, { type: T }>> {
    const answer = this.next(reply, timeoutMs);
    if (this.#failure === undefined) this.process.send(request);
    return answer;
  }

  /** The next message of `type` (a timeout rejects, naming it). */
  next<T extends Reply['type']>(type: T, timeoutMs?: number): Promise<Extract<Reply, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.#failure !== undefined) {
        reject(this.#failure);
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const list = this.#waiters.get(type) ?? [];
      this.#waiters.set(type, list);
      const waiter: Waiter<Reply> = {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply as Extract<Reply, { type: T }>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      list.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          list.splice(list.indexOf(waiter), 1);
          reject(new Error(`no '${type}' from the child within ${timeoutMs} ms`));
        }, timeoutMs);
      }
    });
  }

  /** Hands every message of `type` to `handler` instead of to waiters. */
  on<T extends Reply['type']>(
    type: T,
    handler: (reply: Extract<Reply, { type: T }>) => void,
  ): void {
    this.#watchers.set(type, handler as (reply: Reply) => void);
  }

  /** Sends `signal` (default SIGKILL) and resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill(signal);
    }
    await this.exited;
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const list of this.#waiters.values()) for (const w of list.splice(0)) w.reject(error);
  }
}
