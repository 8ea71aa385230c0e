/**
 * Seed 003's services (issue 13 §2, §5): the names in the configuration (`PUT /config`'s
 * `services`), running or not, each reported by
 *
 * - its Docker container, when a Docker Engine socket is configured (`MARQUEE_DOCKER_SOCKET` or
 *   `DOCKER_HOST=unix://…`): a container named so, or the Compose service of that name — state,
 *   Docker's health check, restart count, CPU and memory (`docker stats`' figures);
 * - else the media integration of that name (Plex, Sonarr ...), whose shared poller runs its HTTP
 *   health check on its own schedule: `up` → running and healthy, `degraded` → running with a
 *   warning, `down` → error and critical;
 * - else nothing: `unknown`.
 *
 * A restart needs Docker, a container, and the name on `MARQUEE_MONITORING_RESTART_ALLOW`; it is
 * audited, and `status` messages on the socket report `restarting` and then the state the
 * container comes back in (watched for at most `WATCH_MS`).
 */
import { MarqueeError, type protocol } from '@marquee/sdk';
import type { FastifyBaseLogger } from 'fastify';
import type { DockerClient, DockerContainerSummary } from '../../integrations/docker/client';
import { DockerError } from '../../integrations/docker/client';
import { redactUrl } from '../../core/log-redaction';
import type { MediaStack, MediaUpstream } from '../../integrations/media';
import type { UpstreamStatus } from '../../integrations/upstream/poller';
import { humanUptime } from './views';

type RunState = protocol.monitoring.ServiceRunState;
type Health = protocol.monitoring.ComponentStatus;
type ServiceHealth = protocol.monitoring.ServiceHealth;
type MonitoredService = protocol.monitoring.MonitoredService;
type StatusChange = protocol.monitoring.ServiceStatusChange;

/** Seconds Docker waits for a container to stop before killing it, on restart. */
export const RESTART_STOP_SECONDS = 10;
/** How long a restarted container is watched for its new state. */
export const WATCH_MS = 60_000;
const WATCH_EVERY_MS = 250;

export interface ServicesOptions {
  readonly docker: DockerClient | undefined;
  readonly mediaStack: MediaStack;
  /** Names that may be restarted. */
  readonly restartAllow: readonly string[];
  readonly now: () => number;
  readonly logger: FastifyBaseLogger;
  /** A `status` message for the socket. */
  readonly onStatus: (change: StatusChange) => void;
  /** Records a restart in the audit trail. */
  readonly audit: (actor: string, name: string) => Promise<void>;
}

function dockerUnavailable(error: unknown): MarqueeError {
  const message = error instanceof Error ? error.message : String(error);
  return new MarqueeError('DOCKER_UNAVAILABLE', message, { status: 503 });
}

/** Throws the seed's 404 unless `name` is one of the configured services. */
function configured(name: string, names: readonly string[]): void {
  if (names.includes(name)) return;
  throw new MarqueeError('SERVICE_NOT_FOUND', `Service '${name}' not found`, {
    status: 404,
    details: `Available services: ${names.length === 0 ? '(none)' : names.join(', ')}`,
  });
}

function containerNotFound(name: string): MarqueeError {
  return new MarqueeError('CONTAINER_NOT_FOUND', `Docker has no container '${name}'`, {
    status: 409,
  });
}

/** A container's summary state as a seed run state (`Exited (1)` is an error, `(0)` stopped). */
function runStateOfSummary(container: DockerContainerSummary): RunState {
  return runState(container.state, exitCodeOf(container.status));
}

function exitCodeOf(status: string): number | undefined {
  const match = /Exited \((\d+)\)/.exec(status);
  return match ? Number(match[1]) : undefined;
}

function runState(state: string, exitCode: number | undefined): RunState {
  switch (state) {
    case 'running':
      return 'running';
    case 'restarting':
      return 'restarting';
    case 'dead':
      return 'error';
    case 'exited':
      return exitCode !== undefined && exitCode !== 0 ? 'error' : 'stopped';
    case 'created':
    case 'paused':
    case 'removing':
      return 'stopped';
    default:
      return 'unknown';
  }
}

function portOf(container: DockerContainerSummary): number | null {
  const published = container.ports.find((p) => p.public !== undefined && p.public > 0);
  const port = published?.public ?? container.ports[0]?.private;
  return port !== undefined && port >= 1 && port <= 65535 ? port : null;
}

function portOfUrl(url: string): number | null {
  try {
    const parsed = new URL(url);
    if (parsed.port !== '') return Number(parsed.port);
    return parsed.protocol === 'https:' ? 443 : 80;
  } catch {
    return null;
  }
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

const UPSTREAM_RUN_STATE: Record<UpstreamStatus, RunState> = {
  up: 'running',
  degraded: 'running',
  down: 'error',
};

export class Services {
  readonly #options: ServicesOptions;
  readonly #subscriptions = new Map<string, () => void>();
  readonly #watching = new Map<string, NodeJS.Timeout>();
  /** Configured names Docker has a container for, at the last look: their last run state. */
  readonly #dockerNames = new Map<string, RunState>();
  #pollTimer: NodeJS.Timeout | undefined;
  #polling = false;
  #closed = false;

  constructor(options: ServicesOptions) {
    this.#options = options;
  }

  get dockerConfigured(): boolean {
    return this.#options.docker !== undefined;
  }

  /**
   * Keeps the integration pollers of the configured names running (their health checks run on
   * their own schedule), and no others.
   */
  sync(names: readonly string[]): void {
    const wanted = new Set<string>(
      this.#options.mediaStack.upstreams.map((u) => u.name).filter((n) => names.includes(n)),
    );
    for (const [name, unsubscribe] of this.#subscriptions) {
      if (!wanted.has(name)) {
        unsubscribe();
        this.#subscriptions.delete(name);
      }
    }
    for (const upstream of this.#options.mediaStack.upstreams) {
      if (wanted.has(upstream.name) && !this.#subscriptions.has(upstream.name)) {
        const poller = upstream.poller as {
          subscribe(
            listener: (snapshot: unknown, previous: UpstreamStatus | undefined) => void,
          ): () => void;
        };
        // A change of the poll's status is a `status` message (a service without a container).
        const listener = (_snapshot: unknown, previous: UpstreamStatus | undefined) => {
          const now = upstream.poller.snapshot();
          if (previous === undefined || now.status === previous || now.status === undefined) return;
          if (this.#dockerNames.has(upstream.name)) return;
          const state = this.#integrationHealth(upstream);
          this.#options.onStatus({
            name: upstream.name,
            status: state.status,
            health: state.health,
            previous: UPSTREAM_RUN_STATE[previous],
            timestamp: new Date(this.#options.now()).toISOString(),
          });
        };
        this.#subscriptions.set(upstream.name, poller.subscribe(listener));
      }
    }
  }

  async list(names: readonly string[], domain: string): Promise<MonitoredService[]> {
    const containers = await this.#containers();
    return names.map((name): MonitoredService => {
      const url = `https://${name}.${domain}`;
      const container = containers && this.#match(containers, name);
      if (container) {
        return {
          name,
          status: runStateOfSummary(container),
          port: portOf(container),
          url,
          source: 'docker',
        };
      }
      const upstream = this.#upstream(name);
      if (upstream) {
        return {
          name,
          status: this.#integrationHealth(upstream).status,
          port: portOfUrl(upstream.url),
          url,
          source: 'integration',
        };
      }
      return { name, status: 'unknown', port: null, url, source: 'none' };
    });
  }

  async health(names: readonly string[]): Promise<ServiceHealth[]> {
    const containers = await this.#containers();
    return Promise.all(
      names.map(async (name): Promise<ServiceHealth> => {
        const container = containers && this.#match(containers, name);
        if (container) return this.#dockerHealth(name, container.id);
        const upstream = this.#upstream(name);
        if (upstream) {
          const h = this.#integrationHealth(upstream);
          return { name, ...h, source: 'integration' };
        }
        return {
          name,
          status: 'unknown',
          health: 'warning',
          lastCheck: null,
          reason: 'No container and no integration of this name report on it',
          source: 'none',
        };
      }),
    );
  }

  /** The newest lines of a configured service's container log, newest first. */
  async logs(
    name: string,
    names: readonly string[],
    query: protocol.monitoring.ContainerLogsQuery,
  ): Promise<protocol.monitoring.ContainerLogList> {
    configured(name, names);
    const docker = this.#docker('LOGS_UNSUPPORTED', 'Container logs need');
    const containers = await this.#containers();
    const container = containers && this.#match(containers, name);
    if (!container) throw containerNotFound(name);
    try {
      const { tty } = await docker.inspect(container.id);
      const lines = await docker.logs(container.id, {
        tail: query.limit,
        ...(query.since === undefined ? {} : { since: Date.parse(query.since) }),
        stdout: query.stream !== 'stderr',
        stderr: query.stream !== 'stdout',
        tty,
      });
      return {
        name,
        logs: lines
          .slice(-query.limit)
          .reverse()
          .map((line) => ({
            timestamp: new Date(line.at).toISOString(),
            stream: line.stream,
            // Each word with a query string, so the text after a URL is kept.
            message: line.text.includes('?')
              ? line.text.replace(/\S*\?\S*/g, (word) => redactUrl(word))
              : line.text,
          })),
      };
    } catch (error) {
      if (error instanceof DockerError && error.status === 404) throw containerNotFound(name);
      throw dockerUnavailable(error);
    }
  }

  async restart(
    name: string,
    names: readonly string[],
    actor: string,
  ): Promise<protocol.monitoring.RestartResponse> {
    configured(name, names);
    const docker = this.#docker('RESTART_UNSUPPORTED', 'Restarting needs');
    if (!this.#options.restartAllow.includes(name)) {
      throw new MarqueeError(
        'RESTART_NOT_ALLOWED',
        `Service '${name}' is not on the restart allow-list (MARQUEE_MONITORING_RESTART_ALLOW)`,
        { status: 403 },
      );
    }
    const containers = await this.#containers();
    const container = containers && this.#match(containers, name);
    if (!container) throw containerNotFound(name);
    const previous = runStateOfSummary(container);
    try {
      await docker.restart(container.id, RESTART_STOP_SECONDS);
    } catch (error) {
      this.#options.logger.error(
        { service: name, actor, error: error instanceof Error ? error.message : String(error) },
        'monitoring: a service restart failed',
      );
      if (error instanceof DockerError && error.status === 404) throw containerNotFound(name);
      throw dockerUnavailable(error);
    }
    await this.#options.audit(actor, name);
    this.#options.logger.info({ service: name, actor }, 'monitoring: service restarted');
    this.#options.onStatus({
      name,
      status: 'restarting',
      previous,
      timestamp: new Date(this.#options.now()).toISOString(),
    });
    this.#watch(name, container.id);
    return { name, status: 'restarting' };
  }

  /**
   * Looks at the containers every `everyMs` while `wanted()` (somebody listens on the socket) and
   * reports each configured service whose run state changed as a `status` message.
   */
  watchDocker(names: () => readonly string[], wanted: () => boolean, everyMs: number): void {
    if (this.#options.docker === undefined || this.#pollTimer !== undefined) return;
    const tick = async () => {
      if (this.#polling || this.#closed || !wanted()) return;
      this.#polling = true;
      try {
        const containers = (await this.#containers()) ?? [];
        if (this.#closed) return;
        const seen = new Set<string>();
        for (const name of names()) {
          const container = this.#match(containers, name);
          if (!container) continue;
          seen.add(name);
          // A restart Marquee issued reports itself (restart and watch).
          if (this.#watching.has(name)) continue;
          const status = runStateOfSummary(container);
          const before = this.#dockerNames.get(name);
          this.#dockerNames.set(name, status);
          if (before === undefined || before === status) continue;
          this.#options.onStatus({
            name,
            status,
            previous: before,
            timestamp: new Date(this.#options.now()).toISOString(),
          });
        }
        for (const name of this.#dockerNames.keys())
          if (!seen.has(name)) this.#dockerNames.delete(name);
      } catch {
        // The daemon is away: the routes say so; the next look tries again.
      } finally {
        this.#polling = false;
      }
    };
    this.#pollTimer = setInterval(() => void tick(), everyMs);
    this.#pollTimer.unref();
    void tick();
  }

  close(): void {
    this.#closed = true;
    if (this.#pollTimer !== undefined) clearInterval(this.#pollTimer);
    for (const unsubscribe of this.#subscriptions.values()) unsubscribe();
    this.#subscriptions.clear();
    for (const timer of this.#watching.values()) clearTimeout(timer);
    this.#watching.clear();
  }

  /** Follows a restarted container until it leaves `restarting`, then reports its state once. */
  #watch(name: string, id: string): void {
    const { docker } = this.#options;
    if (docker === undefined || this.#watching.has(name)) return;
    const until = Date.now() + WATCH_MS;
    const tick = async () => {
      if (this.#closed) return;
      try {
        const details = await docker.inspect(id);
        const status = runState(details.state, details.exitCode);
        if (status !== 'restarting' || Date.now() >= until) {
          this.#watching.delete(name);
          if (this.#closed) return;
          this.#options.onStatus({
            name,
            status,
            health: this.#dockerHealthOf(details.health, status),
            previous: 'restarting',
            timestamp: new Date(this.#options.now()).toISOString(),
          });
          return;
        }
      } catch {
        if (Date.now() >= until) {
          this.#watching.delete(name);
          return;
        }
      }
      if (this.#closed) return;
      const timer = setTimeout(() => void tick(), WATCH_EVERY_MS);
      timer.unref();
      this.#watching.set(name, timer);
    };
    const timer = setTimeout(() => void tick(), WATCH_EVERY_MS);
    timer.unref();
    this.#watching.set(name, timer);
  }

  /** The Docker client; without one, 409 `code` ("<what> a Docker Engine …"). */
  #docker(code: string, what: string): DockerClient {
    const { docker } = this.#options;
    if (docker !== undefined) return docker;
    throw new MarqueeError(
      code,
      `${what} a Docker Engine (MARQUEE_DOCKER_SOCKET); none is configured`,
      { status: 409 },
    );
  }

  async #containers(): Promise<DockerContainerSummary[] | undefined> {
    const { docker } = this.#options;
    if (docker === undefined) return undefined;
    try {
      return await docker.containers();
    } catch (error) {
      throw dockerUnavailable(error);
    }
  }

  #match(containers: DockerContainerSummary[], name: string): DockerContainerSummary | undefined {
    return (
      containers.find((c) => c.names.includes(name)) ??
      containers.find((c) => c.composeService === name)
    );
  }

  #upstream(name: string): MediaUpstream | undefined {
    return this.#options.mediaStack.upstreams.find((u) => u.name === name);
  }

  #integrationHealth(upstream: MediaUpstream): Omit<ServiceHealth, 'name' | 'source'> {
    const snapshot = upstream.poller.snapshot();
    const lastCheck =
      snapshot.lastCheckAt === undefined ? null : new Date(snapshot.lastCheckAt).toISOString();
    const reason = snapshot.reason === undefined ? {} : { reason: snapshot.reason };
    switch (snapshot.status) {
      case 'up':
        return { status: 'running', health: 'healthy', lastCheck };
      case 'degraded':
        return { status: 'running', health: 'warning', lastCheck, ...reason };
      case 'down':
        return { status: 'error', health: 'critical', lastCheck, ...reason };
      case undefined:
        return { status: 'unknown', health: 'warning', lastCheck, reason: 'Not checked yet' };
    }
  }

  #dockerHealthOf(health: string | undefined, status: RunState): Health {
    if (health === 'healthy') return 'healthy';
    if (health === 'starting') return 'warning';
    if (health === 'unhealthy') return 'critical';
    if (status === 'running') return 'healthy';
    if (status === 'restarting') return 'warning';
    return 'critical';
  }

  async #dockerHealth(name: string, id: string): Promise<ServiceHealth> {
    const { docker, now } = this.#options;
    if (docker === undefined) throw new Error('no Docker client');
    try {
      const details = await docker.inspect(id);
      const status = runState(details.state, details.exitCode);
      const stats = status === 'running' ? await docker.stats(id) : undefined;
      const at = now();
      const started = details.startedAt === undefined ? NaN : Date.parse(details.startedAt);
      const uptime =
        status === 'running' && Number.isFinite(started)
          ? humanUptime((at - started) / 1000)
          : '0m';
      const health = this.#dockerHealthOf(details.health, status);
      const reason =
        details.health === 'unhealthy'
          ? 'Docker health check: unhealthy'
          : details.health === 'starting'
            ? 'Docker health check: starting'
            : status === 'error' || status === 'stopped'
              ? `Container ${details.state}${details.exitCode === undefined ? '' : ` (exit code ${details.exitCode})`}`
              : undefined;
      return {
        name,
        status,
        health,
        lastCheck: new Date(at).toISOString(),
        metrics: {
          uptime,
          memory: round((stats?.memoryBytes ?? 0) / 1e9, 3),
          cpu: round(stats?.cpuPercent ?? 0, 1),
        },
        restartCount: details.restartCount,
        ...(reason === undefined ? {} : { reason }),
        source: 'docker',
      };
    } catch (error) {
      throw dockerUnavailable(error);
    }
  }
}
