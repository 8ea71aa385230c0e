/**
 * The one shape every surface has. A surface (a seed's API: now-playing, signage, gpu ...) is a
 * folder under `src/surfaces/<name>/` whose `module.ts` exports a `SurfaceModule`; `app.ts` mounts
 * a list of them and knows nothing else about any of them. The core (config, auth, store engine,
 * hub, gateway, sampler) knows no surface by name: a surface brings its own tables (`store`), its
 * routes (mounted from the SDK's route tables with `mountRoutes`) and its socket channels, and
 * hands back whatever API it wants the server to expose, plus `stop` for shutdown.
 *
 * Each module is mounted as its own encapsulated Fastify plugin: content-type parsers, hooks and
 * decorators it registers stay inside it. See docs/surfaces.md for how to add one.
 */
import type { LogTap } from './log-tap';
import type { ErrorShape } from '@marquee/sdk/protocol';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AuthService } from './auth';
import type { MediaStack } from '../integrations/media';
import type { Config } from './config';
import type { MetricsCollector, ProbedSampler } from './metrics';
import type { Authenticator } from './routes';
import type { SystemSampler } from './sampler';
import type { Migration, Store, SurfaceStore } from './store';
import type { Hub, WsGateway } from './ws';
import type { StorageMonitor } from './storage';
import type { MonotonicClock } from './clock';
import type { ClusterBus } from './bus';

/** What the server hands every surface when it mounts it. */
export interface SurfaceContext<Repositories = undefined> {
  /** The surface's own encapsulated Fastify context. */
  readonly app: FastifyInstance;
  readonly config: Config;
  /** The core store (users, settings, display tokens, playback history). */
  readonly store: Store;
  /** The surface's own repositories, built by its `store` part (undefined without one). */
  readonly repositories: Repositories;
  readonly auth: AuthService;
  /** Resolves and authorizes the caller of a route by the table's policy. */
  readonly authenticate: Authenticator;
  readonly hub: Hub;
  readonly gateway: WsGateway;
  /** The shared system sampler (runs only while somebody subscribes). */
  readonly sampler: SystemSampler;
  /**
   * The configured media upstreams (Plex, Jellyfin, the *arr family ...), each with its one
   * poller: every surface that reads an upstream subscribes to that poller, none builds its own.
   */
  readonly mediaStack: MediaStack;
  /** Unix ms clock: timestamps people read. */
  readonly now: () => number;
  /** Millisecond clock for durations, deadlines and windows; never steps (core/clock.ts). */
  readonly monotonic: MonotonicClock;
  /** Check every response against its documented schema (tests). */
  readonly validateResponses: boolean;
  readonly logger: FastifyBaseLogger;
  /** Every line the server logs, after redaction, for a surface that keeps the log. */
  readonly logTap: LogTap;
  /** The data directory's disk: free space, the upload reserve, reclaimers (core/storage.ts). */
  readonly storage: StorageMonitor;
  /**
   * The bus between instances on one database (`MARQUEE_REDIS_URL`); alone, a local one that
   * reaches nobody else (core/bus).
   */
  readonly bus: ClusterBus;
}

/** A mounted surface: the API it exposes on `MarqueeServer`, its metrics and how it shuts down. */
export interface MountedSurface<Api> {
  readonly api: Api;
  /** What `GET /metrics` adds for this surface (docs/metrics.md). */
  readonly metrics?: {
    /** Register the surface's gauges, read at scrape time. */
    readonly collectors?: readonly MetricsCollector[];
    /** Shared samplers by name; every read's duration is observed. */
    readonly samplers?: Readonly<Record<string, ProbedSampler>>;
  };
  /** Binds what the surface listens on besides the main port; called once the main port listens. */
  listen?(): Promise<void>;
  /** Stops timers, samplers and work in progress; sockets are closed by the gateway after. */
  stop?(): void | Promise<void>;
}

export interface SurfaceModule<Api = unknown, Repositories = undefined> {
  /** The surface's name as the SDK's tables spell it (`signage`, `gpu` ...). */
  readonly name: string;
  /** How errors are rendered for a request under one of `prefixes` that no route matched. */
  readonly errorShape: ErrorShape;
  /** URL path prefixes the surface serves (used to answer unknown paths in its error shape). */
  readonly prefixes: readonly string[];
  /** The surface's own tables and repositories; absent when it keeps nothing. */
  readonly store?: SurfaceStore<Repositories>;
  mount(context: SurfaceContext<Repositories>): MountedSurface<Api> | Promise<MountedSurface<Api>>;
}

/** Declares a module with its types inferred (an identity function). */
export function defineSurfaceModule<Api, Repositories = undefined>(
  module: SurfaceModule<Api, Repositories>,
): SurfaceModule<Api, Repositories> {
  return module;
}

/** Every migration the listed modules bring, for opening the store. */
export function surfaceMigrations(
  modules: readonly SurfaceModule<unknown, unknown>[],
): readonly Migration[] {
  return modules.flatMap((module) => module.store?.migrations ?? []);
}

/**
 * Mounts `module` in its own encapsulated plugin and returns what it mounted. The plugin is
 * loaded at once (awaited), so the API is ready when this resolves.
 */
export async function mountSurface<Api, Repositories>(
  app: FastifyInstance,
  module: SurfaceModule<Api, Repositories>,
  context: Omit<SurfaceContext<Repositories>, 'app' | 'repositories'>,
): Promise<MountedSurface<Api>> {
  const repositories = module.store?.open(context.store.engine) as Repositories;
  let mounted: MountedSurface<Api> | undefined;
  await app.register(async (scope) => {
    mounted = await module.mount({ ...context, app: scope, repositories });
  });
  if (mounted === undefined) throw new Error(`Surface ${module.name} did not mount`);
  return mounted;
}

/** The error shape of the surface whose prefix is the longest match for `url`, or `fallback`. */
export function errorShapeFor(
  modules: readonly Pick<SurfaceModule<unknown, unknown>, 'prefixes' | 'errorShape'>[],
  url: string,
  fallback: ErrorShape,
): ErrorShape {
  let best: { length: number; shape: ErrorShape } | undefined;
  for (const module of modules) {
    for (const prefix of module.prefixes) {
      if (url.startsWith(prefix) && (best === undefined || prefix.length > best.length)) {
        best = { length: prefix.length, shape: module.errorShape };
      }
    }
  }
  return best?.shape ?? fallback;
}
