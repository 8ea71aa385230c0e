/**
 * A fake Docker Engine: the few Engine API routes Marquee's monitoring reads (container list,
 * inspect, one-shot stats, restart, logs), served as HTTP over a Unix socket like the real daemon's
 * `/var/run/docker.sock`, with or without a `/v1.xx` version prefix. Scriptable: containers stop,
 * start, go unhealthy, report CPU and memory, refuse a restart, answer slowly; a restart passes
 * through `restarting` for `restartMs` and counts in `RestartCount`. Logs are served as the daemon
 * does: stdout and stderr multiplexed in 8-byte-header frames (a line over 64 bytes split across
 * two frames, as the daemon splits long lines), or one raw stream for a container with a
 * terminal; `tail`, `since` and `timestamps` honoured. Every request is recorded.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type FakeContainerState =
  'created' | 'running' | 'restarting' | 'exited' | 'paused' | 'dead';
/** Docker's health states; `none` is a container without a health check. */
export type FakeContainerHealth = 'none' | 'starting' | 'healthy' | 'unhealthy';

export interface FakeContainerSpec {
  readonly name: string;
  /** `com.docker.compose.service` label, when the container is a Compose service. */
  readonly composeService?: string;
  readonly image?: string;
  readonly state?: FakeContainerState;
  readonly health?: FakeContainerHealth;
  readonly exitCode?: number;
  /** Published ports: container port → host port (undefined: not published). */
  readonly ports?: readonly { readonly private: number; readonly public?: number }[];
  /** CPU use in percent of one host (what `docker stats` shows). */
  readonly cpuPercent?: number;
  readonly memoryBytes?: number;
  /** When it started (ISO 8601). @default now */
  readonly startedAt?: string;
  /** Runs with a terminal (`docker run -t`): its log is one raw stream. @default false */
  readonly tty?: boolean;
  /** Lines already in its log, oldest first. */
  readonly logs?: readonly FakeLogLine[];
}

/** One line of a container's log. */
export interface FakeLogLine {
  readonly stream: 'stdout' | 'stderr';
  /** ISO 8601, millisecond precision (served with nanoseconds, as Docker writes them). */
  readonly at: string;
  readonly text: string;
}

export interface FakeContainer {
  readonly id: string;
  name: string;
  composeService: string | undefined;
  image: string;
  state: FakeContainerState;
  health: FakeContainerHealth;
  exitCode: number;
  ports: { private: number; public?: number }[];
  cpuPercent: number;
  memoryBytes: number;
  startedAt: string;
  restartCount: number;
  /** Set: the next restarts answer 500 with this message. */
  failRestart: string | undefined;
  tty: boolean;
  /** Its log, oldest first: push lines to it. */
  logs: FakeLogLine[];
}

export interface FakeDockerRequest {
  readonly method: string;
  readonly path: string;
}

export interface FakeDockerEngineOptions {
  /** Where the socket is created. */
  readonly socketPath: string;
  readonly containers?: readonly FakeContainerSpec[];
  /** How long a restart keeps a container `restarting`. @default 50 */
  readonly restartMs?: number;
  /** Delay before every answer (a slow daemon). @default 0 */
  readonly delayMs?: number;
}

const CPUS = 4;
const TICKS_PER_READ = 1_000_000_000;

export class FakeDockerEngine {
  readonly socketPath: string;
  readonly containers: FakeContainer[];
  readonly requests: FakeDockerRequest[] = [];
  restartMs: number;
  delayMs: number;
  readonly #server: Server;
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(options: FakeDockerEngineOptions, server: Server) {
    this.socketPath = options.socketPath;
    this.restartMs = options.restartMs ?? 50;
    this.delayMs = options.delayMs ?? 0;
    this.containers = (options.containers ?? []).map((spec) => this.#build(spec));
    this.#server = server;
  }

  static async start(options: FakeDockerEngineOptions): Promise<FakeDockerEngine> {
    rmSync(options.socketPath, { force: true });
    const server = createServer();
    const engine = new FakeDockerEngine(options, server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void engine.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return engine;
  }

  /** Adds a container (e.g. a service deployed later). */
  add(spec: FakeContainerSpec): FakeContainer {
    const container = this.#build(spec);
    this.containers.push(container);
    return container;
  }

  /** The container named `name` (throws when there is none: a test's mistake). */
  container(name: string): FakeContainer {
    const found = this.containers.find((c) => c.name === name);
    if (found === undefined) throw new Error(`No fake container ${name}`);
    return found;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    rmSync(this.socketPath, { force: true });
  }

  #build(spec: FakeContainerSpec): FakeContainer {
    return {
      id: randomBytes(32).toString('hex'),
      name: spec.name,
      composeService: spec.composeService,
      image: spec.image ?? `example/${spec.name}:latest`,
      state: spec.state ?? 'running',
      health: spec.health ?? 'none',
      exitCode: spec.exitCode ?? 0,
      ports: (spec.ports ?? []).map((p) => ({ ...p })),
      cpuPercent: spec.cpuPercent ?? 0,
      memoryBytes: spec.memoryBytes ?? 0,
      startedAt: spec.startedAt ?? new Date().toISOString(),
      restartCount: 0,
      failRestart: undefined,
      tty: spec.tty ?? false,
      logs: [...(spec.logs ?? [])],
    };
  }

  #find(ref: string): FakeContainer | undefined {
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    return this.containers.find(
      (c) => c.name === name || c.id === ref || (ref.length >= 12 && c.id.startsWith(ref)),
    );
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://docker');
    const path = url.pathname.replace(/^\/v\d+\.\d+(?=\/)/, '');
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const missing = (ref: string) => json(404, { message: `No such container: ${ref}` });

    if (req.method === 'GET' && path === '/_ping') {
      res.end('OK');
      return;
    }
    if (req.method === 'GET' && path === '/containers/json') {
      const all = url.searchParams.get('all') === '1' || url.searchParams.get('all') === 'true';
      json(
        200,
        this.containers
          .filter((c) => all || c.state === 'running' || c.state === 'restarting')
          .map((c) => this.#summary(c)),
      );
      return;
    }
    const match = /^\/containers\/([^/]+)\/(json|stats|restart|logs)$/.exec(path);
    if (match === null) {
      json(404, { message: 'page not found' });
      return;
    }
    const [, ref = '', action] = match;
    const container = this.#find(decodeURIComponent(ref));
    if (container === undefined) {
      missing(ref);
      return;
    }
    if (req.method === 'GET' && action === 'json') json(200, this.#inspect(container));
    else if (req.method === 'GET' && action === 'stats') json(200, this.#stats(container));
    else if (req.method === 'GET' && action === 'logs') this.#logs(container, url, res);
    else if (req.method === 'POST' && action === 'restart') {
      if (container.failRestart !== undefined) {
        json(500, { message: container.failRestart });
        return;
      }
      container.state = 'restarting';
      container.restartCount += 1;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        container.state = 'running';
        container.exitCode = 0;
        container.startedAt = new Date().toISOString();
        if (container.health !== 'none') container.health = 'starting';
      }, this.restartMs);
      this.#timers.add(timer);
      res.writeHead(204);
      res.end();
    } else json(405, { message: 'method not allowed' });
  }

  /** `GET /containers/{id}/logs` as the daemon answers it (see the file comment). */
  #logs(c: FakeContainer, url: URL, res: ServerResponse): void {
    const on = (name: string) => ['1', 'true'].includes(url.searchParams.get(name) ?? '');
    const stdout = on('stdout');
    const stderr = on('stderr');
    if (!stdout && !stderr) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Bad parameters: you must choose at least one stream' }));
      return;
    }
    const since = Number(url.searchParams.get('since') ?? '0') * 1000;
    const tail = url.searchParams.get('tail') ?? 'all';
    let lines = c.logs.filter(
      (l) =>
        (l.stream === 'stdout' ? stdout : stderr) && (!(since > 0) || Date.parse(l.at) >= since),
    );
    if (tail !== 'all' && Number.isInteger(Number(tail)) && Number(tail) >= 0) {
      lines = lines.slice(Math.max(0, lines.length - Number(tail)));
    }
    const stamp = on('timestamps');
    const text = (l: FakeLogLine) =>
      `${stamp ? `${l.at.replace(/\.(\d{3})Z$/, '.$1000000Z')} ` : ''}${l.text}\n`;
    res.writeHead(200, {
      'content-type': c.tty
        ? 'application/vnd.docker.raw-stream'
        : 'application/vnd.docker.multiplexed-stream',
    });
    if (c.tty) {
      res.end(lines.map(text).join(''));
      return;
    }
    const frames: Buffer[] = [];
    for (const line of lines) {
      const bytes = Buffer.from(text(line));
      const parts = bytes.length > 64 ? [bytes.subarray(0, 40), bytes.subarray(40)] : [bytes];
      for (const part of parts) {
        const header = Buffer.alloc(8);
        header[0] = line.stream === 'stdout' ? 1 : 2;
        header.writeUInt32BE(part.length, 4);
        frames.push(header, part);
      }
    }
    res.end(Buffer.concat(frames));
  }

  #status(c: FakeContainer): string {
    if (c.state === 'running') {
      return c.health === 'none' ? 'Up 2 hours' : `Up 2 hours (${c.health})`;
    }
    if (c.state === 'exited') return `Exited (${c.exitCode}) 5 minutes ago`;
    return c.state[0]!.toUpperCase() + c.state.slice(1);
  }

  #summary(c: FakeContainer) {
    return {
      Id: c.id,
      Names: [`/${c.name}`],
      Image: c.image,
      State: c.state,
      Status: this.#status(c),
      Created: Math.floor(Date.parse(c.startedAt) / 1000),
      Ports: c.ports.map((p) => ({
        PrivatePort: p.private,
        ...(p.public === undefined ? {} : { PublicPort: p.public, IP: '0.0.0.0' }),
        Type: 'tcp',
      })),
      Labels:
        c.composeService === undefined ? {} : { 'com.docker.compose.service': c.composeService },
    };
  }

  #inspect(c: FakeContainer) {
    return {
      Id: c.id,
      Name: `/${c.name}`,
      RestartCount: c.restartCount,
      State: {
        Status: c.state,
        Running: c.state === 'running' || c.state === 'restarting',
        Restarting: c.state === 'restarting',
        Paused: c.state === 'paused',
        Dead: c.state === 'dead',
        ExitCode: c.exitCode,
        StartedAt: c.startedAt,
        ...(c.health === 'none' ? {} : { Health: { Status: c.health, FailingStreak: 0 } }),
      },
      Config: {
        Image: c.image,
        Tty: c.tty,
        Labels:
          c.composeService === undefined ? {} : { 'com.docker.compose.service': c.composeService },
      },
    };
  }

  /** One-shot stats whose CPU delta gives `cpuPercent` by Docker's own formula. */
  #stats(c: FakeContainer) {
    const running = c.state === 'running';
    const system = 100 * TICKS_PER_READ;
    const cpuDelta = running ? Math.round((c.cpuPercent / 100 / CPUS) * TICKS_PER_READ) : 0;
    return {
      read: new Date().toISOString(),
      cpu_stats: {
        cpu_usage: { total_usage: 5 * TICKS_PER_READ + cpuDelta },
        system_cpu_usage: system + TICKS_PER_READ,
        online_cpus: CPUS,
      },
      precpu_stats: {
        cpu_usage: { total_usage: 5 * TICKS_PER_READ },
        system_cpu_usage: system,
        online_cpus: CPUS,
      },
      memory_stats: running
        ? { usage: c.memoryBytes + 1_000_000, limit: 16e9, stats: { inactive_file: 1_000_000 } }
        : {},
    };
  }
}

/** Starts a fake Docker Engine on `options.socketPath`. */
export function startFakeDockerEngine(options: FakeDockerEngineOptions): Promise<FakeDockerEngine> {
  return FakeDockerEngine.start(options);
}
