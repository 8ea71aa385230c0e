/**
 * A small Docker Engine API client over the daemon's Unix socket: the four calls monitoring needs
 * (list containers, inspect, one-shot stats, restart). No library: `node:http` with `socketPath`,
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
}

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
  ): Promise<{ status: number; body: unknown }> =>
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
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text === '' ? undefined : (JSON.parse(text) as unknown);
            } catch {
              // Not JSON (an error page): kept as text.
            }
            resolve({ status: res.statusCode ?? 0, body });
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
  };
}
