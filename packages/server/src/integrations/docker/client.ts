/**
 * A small Docker Engine API client over the daemon's Unix socket: the calls monitoring needs
 * (list containers, inspect, one-shot stats, restart, logs). No library: `node:http` with `socketPath`,
 * every answer bounded in size (`MAX_BODY`) and time (`timeoutMs`), parsed defensively (a field of
 * an unexpected type reads as absent).
 */
import { request } from 'node:http';

/** Largest answer read (a list of a few hundred containers is well under this). */
export const MAX_BODY = 4 * 1024 * 1024;

export class DockerError extends Error {
  override readonly name = 'DockerError';
  /** The daemon's HTTP status; undefined when it could not be reached. */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

export interface DockerContainerSummary {
  readonly id: string;
  /** Without the leading `/`. */
  readonly names: readonly string[];
  /** `com.docker.compose.service`, when set. */
  readonly composeService: string | undefined;
  /** `running`, `exited`, `restarting`, `paused`, `created`, `dead`, `removing`. */
  readonly state: string;
  /** Docker's human line, e.g. `Exited (1) 5 minutes ago`. */
  readonly status: string;
  readonly ports: readonly { readonly private: number; readonly public: number | undefined }[];
}

export interface DockerContainerDetails {
  readonly state: string;
  readonly exitCode: number | undefined;
  /** `starting`, `healthy`, `unhealthy`; undefined without a health check. */
  readonly health: string | undefined;
  readonly startedAt: string | undefined;
  readonly restartCount: number;
  /** Whether it runs with a terminal (its log is then one raw stream, not multiplexed). */
  readonly tty: boolean;
}

export interface DockerLogLine {
  readonly stream: 'stdout' | 'stderr';
  /** Unix ms (Docker's nanoseconds cut to milliseconds). */
  readonly at: number;
  readonly text: string;
}

export interface DockerLogsOptions {
  /** The newest lines, at most. */
  readonly tail: number;
  /** Unix ms: only lines written at or after. */
  readonly since?: number;
  readonly stdout: boolean;
  readonly stderr: boolean;
  /** The container runs with a terminal (see `inspect`). */
  readonly tty: boolean;
}

/** Longest line kept; the rest is cut. */
export const MAX_LOG_LINE = 4000;

export interface DockerStats {
  /** Percent of one CPU × CPUs, as `docker stats` shows it. */
  readonly cpuPercent: number;
  /** Bytes in use (page cache left out, as `docker stats` does). */
  readonly memoryBytes: number;
}

export interface DockerClient {
  readonly socketPath: string;
  containers(): Promise<DockerContainerSummary[]>;
  inspect(id: string): Promise<DockerContainerDetails>;
  stats(id: string): Promise<DockerStats>;
  restart(id: string, timeoutSeconds: number): Promise<void>;
  /** The container's log lines, oldest first (`GET /containers/{id}/logs`). */
  logs(id: string, options: DockerLogsOptions): Promise<DockerLogLine[]>;
}

/** `2026-12-07T12:00:00.123456789Z text` → its time and text; lines without one keep `fallback`. */
function timed(line: string, fallback: number): { at: number; text: string } {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d) ?/.exec(line);
  if (match === null) return { at: fallback, text: line };
  const at = Date.parse(`${match[1]}${(match[2] ?? '').slice(0, 4)}${match[3]}`);
  return { at: Number.isNaN(at) ? fallback : at, text: line.slice(match[0].length) };
}

/**
 * A log answer as lines: Docker multiplexes stdout and stderr into frames of an 8-byte header
 * (stream 1 or 2, three zero bytes, the length big-endian) and the bytes, unless the container has
 * a terminal, whose log is one raw stream (stdout). Lines split across frames are joined.
 */
export function parseDockerLog(raw: Buffer, tty: boolean): DockerLogLine[] {
  const pieces: { stream: 'stdout' | 'stderr'; bytes: Buffer }[] = [];
  if (tty) pieces.push({ stream: 'stdout', bytes: raw });
  else {
    let offset = 0;
    while (offset + 8 <= raw.length) {
      const kind = raw[offset];
      const size = raw.readUInt32BE(offset + 4);
      const bytes = raw.subarray(offset + 8, Math.min(raw.length, offset + 8 + size));
      // 0 is stdin (never sent for logs); anything else is not a frame: stop.
      if (kind !== 1 && kind !== 2) break;
      pieces.push({ stream: kind === 1 ? 'stdout' : 'stderr', bytes });
      offset += 8 + size;
    }
  }
  const lines: DockerLogLine[] = [];
  const pending = { stdout: '', stderr: '' };
  let last = 0;
  const emit = (stream: 'stdout' | 'stderr', line: string) => {
    const { at, text } = timed(line.replace(/\r$/, ''), last);
    last = at;
    lines.push({ stream, at, text: text.slice(0, MAX_LOG_LINE) });
  };
  for (const { stream, bytes } of pieces) {
    const parts = (pending[stream] + bytes.toString('utf8')).split('\n');
    pending[stream] = parts.pop() ?? '';
    for (const line of parts) emit(stream, line);
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    if (pending[stream] !== '') emit(stream, pending[stream]);
  }
  // Both outputs in time order (stable: lines of one time keep their order).
  return lines.sort((a, b) => a.at - b.at);
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

export function createDockerClient(socketPath: string, timeoutMs = 5000): DockerClient {
  const call = (
    method: 'GET' | 'POST',
    path: string,
    timeout = timeoutMs,
  ): Promise<{ status: number; body: unknown; raw: Buffer }> =>
    new Promise((resolve, reject) => {
      const req = request(
        { socketPath, method, path, headers: { host: 'docker' }, timeout },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY) {
              req.destroy(new DockerError('The Docker daemon answered too much'));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            const text = raw.toString('utf8');
            let body: unknown = text;
            try {
              body = text === '' ? undefined : (JSON.parse(text) as unknown);
            } catch {
              // Not JSON (an error page, a log): kept as text, and raw.
            }
            resolve({ status: res.statusCode ?? 0, body, raw });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new DockerError('The Docker daemon did not answer in time')),
      );
      req.on('error', (error) =>
        reject(
          error instanceof DockerError
            ? error
            : new DockerError(
                `The Docker daemon cannot be reached (${(error as NodeJS.ErrnoException).code ?? error.message})`,
              ),
        ),
      );
      req.end();
    });

  const expectOk = (res: { status: number; body: unknown }, what: string): unknown => {
    if (res.status >= 200 && res.status < 300) return res.body;
    const message = str(obj(res.body).message) ?? `HTTP ${res.status}`;
    throw new DockerError(`${what}: ${message}`, res.status);
  };
  const ref = (id: string) => encodeURIComponent(id);

  return {
    socketPath,
    async containers() {
      const body = expectOk(await call('GET', '/containers/json?all=1'), 'Listing containers');
      if (!Array.isArray(body)) throw new DockerError('Listing containers: not a list');
      return body.slice(0, 1000).map((raw): DockerContainerSummary => {
        const c = obj(raw);
        const names = Array.isArray(c.Names) ? c.Names : [];
        return {
          id: str(c.Id) ?? '',
          names: names.flatMap((n) => (typeof n === 'string' ? [n.replace(/^\//, '')] : [])),
          composeService: str(obj(c.Labels)['com.docker.compose.service']),
          state: str(c.State) ?? 'unknown',
          status: str(c.Status) ?? '',
          ports: (Array.isArray(c.Ports) ? c.Ports : []).flatMap((p) => {
            const port = obj(p);
            const priv = num(port.PrivatePort);
            return priv === undefined ? [] : [{ private: priv, public: num(port.PublicPort) }];
          }),
        };
      });
    },
    async inspect(id) {
      const c = obj(expectOk(await call('GET', `/containers/${ref(id)}/json`), 'Inspecting'));
      const state = obj(c.State);
      return {
        state: str(state.Status) ?? 'unknown',
        exitCode: num(state.ExitCode),
        health: str(obj(state.Health).Status),
        startedAt: str(state.StartedAt),
        restartCount: num(c.RestartCount) ?? 0,
        tty: obj(c.Config).Tty === true,
      };
    },
    async stats(id) {
      const s = obj(
        expectOk(await call('GET', `/containers/${ref(id)}/stats?stream=false`), 'Reading stats'),
      );
      const cpu = obj(s.cpu_stats);
      const pre = obj(s.precpu_stats);
      const cpuDelta =
        (num(obj(cpu.cpu_usage).total_usage) ?? 0) - (num(obj(pre.cpu_usage).total_usage) ?? 0);
      const systemDelta = (num(cpu.system_cpu_usage) ?? 0) - (num(pre.system_cpu_usage) ?? 0);
      const cpus = num(cpu.online_cpus) ?? 1;
      const cpuPercent =
        cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
      const memory = obj(s.memory_stats);
      const usage = num(memory.usage) ?? 0;
      const cache = num(obj(memory.stats).inactive_file) ?? num(obj(memory.stats).cache) ?? 0;
      return { cpuPercent, memoryBytes: Math.max(0, usage - cache) };
    },
    async restart(id, timeoutSeconds) {
      // The daemon answers once the container is stopped (up to t seconds) and started again.
      const path = `/containers/${ref(id)}/restart?t=${timeoutSeconds}`;
      expectOk(await call('POST', path, timeoutMs + timeoutSeconds * 1000), 'Restarting');
    },
    async logs(id, options) {
      const query = new URLSearchParams({
        stdout: options.stdout ? '1' : '0',
        stderr: options.stderr ? '1' : '0',
        timestamps: '1',
        tail: String(options.tail),
        ...(options.since === undefined ? {} : { since: (options.since / 1000).toFixed(3) }),
      });
      const res = await call('GET', `/containers/${ref(id)}/logs?${query.toString()}`);
      expectOk(res, 'Reading logs');
      return parseDockerLog(res.raw, options.tty);
    },
  };
}
