/**
 * Seed 003 — homelab monitoring under `/api/v1` — as a surface module: status, current and
 * historical metrics (per core), the configuration and the alert settings (validated, stored in
 * the surface's own tables, every change audited with who and when), threshold alerts, and the
 * `/monitoring` WebSocket with `metrics` and `alert` messages.
 *
 * With `monitoringRecord` (the default) the surface keeps the shared system sampler running, so
 * the tiered history (history.ts) and the alert thresholds see every sample; each sample is
 * recorded, evaluated and pushed to the socket's subscribers once, whatever their number.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { protocol } from '@marquee/sdk';
import type { Identity } from '../../core/auth';
import { createMonitoringAccess } from './access';
import { mountRoutes } from '../../core/routes';
import type { SystemSample } from '../../core/sampler';
import { defineSurfaceModule } from '../../core/surface';
import { alertView, ThresholdAlerts } from './alerts';
import { TieredHistory, type HistoryRetention } from './history';
import { createDockerClient } from '../../integrations/docker/client';
import { LatencyProbe } from './latency';
import { LogKeeper } from './logs';
import { Services } from './services';
import { Notifier, redactSettings, restoreSecrets, targets } from './notifier';
import { monitoringStore, type MonitoringRepositories } from './store';
import {
  formatResolution,
  historyPoint,
  historySample,
  humanUptime,
  systemMetrics,
  usageOf,
  type Observation,
} from './views';

const { monitoring } = protocol;

/** The socket's hub topic. */
export const MONITORING_TOPIC = 'monitoring';
/** The lease of the instance that records history and evaluates alerts (core/bus). */
export const RECORDER_LEASE = 'monitoring-recorder';
const ALERT_MESSAGE = 'monitoring.alert';
const SETTINGS_MESSAGE = 'monitoring.settings';
const METRICS_KEY = 'metrics';
/** A wall-clock move this much beyond the monotonic time between two samples is a step. */
const CLOCK_STEP_MS = 5000;

/** What `GET /config` answers until an operator saves one. */
export const DEFAULT_CONFIG: protocol.monitoring.SystemConfig = {
  domain: 'localhost',
  media_dir: '/srv/media',
  downloads_dir: '/srv/downloads',
  services: [],
};

/** The seed's example settings, until an operator saves others. */
export const DEFAULT_ALERT_SETTINGS: protocol.monitoring.AlertSettings = {
  thresholds: {
    cpu: { warning: 80, critical: 90 },
    memory: { warning: 80, critical: 90 },
    disk: { warning: 85, critical: 95 },
  },
  notifications: { email: false, desktop: false, minLevel: 'warning' },
};

const CONFIG_KEY = 'config';
const ALERT_SETTINGS_KEY = 'alert_settings';

export interface MonitoringApi {
  readonly repositories: MonitoringRepositories;
  readonly history: TieredHistory;
  /** The newest observation (undefined before the first sample). */
  readonly latest: () => Observation | undefined;
  /** Sends the alert notifications (its `stats` count sent, failed, dropped and retried). */
  readonly notifier: Notifier;
  /** Keeps the server's log for `GET /logs`. */
  readonly logs: LogKeeper;
  /** The configured services, from Docker or the media integrations. */
  readonly services: Services;
  /** `ws://host:port` of the second WebSocket port once it listens (MARQUEE_MONITORING_WS_PORT). */
  readonly wsPortUrl: () => string | undefined;
}

type ServedRoute = Exclude<
  (typeof monitoring.monitoringRoutes)[number],
  { readonly planned: true }
>;

function isPlanned(route: protocol.RouteDef): boolean {
  return route.planned === true;
}

function actorOf(identity: Identity | undefined): string {
  if (identity === undefined) return 'anonymous';
  if (identity.kind === 'display') return `display:${identity.tokenId}`;
  return identity.via === 'forward-auth'
    ? `proxy:${identity.username}`
    : `user:${identity.username}`;
}

/**
 * The second port's HTTP answers: only the `/monitoring` upgrade is served there (426 for a plain
 * request to it, 404 elsewhere), in the seed's error shape.
 */
function wsPortOnly(): Server {
  return createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const upgrade = path === monitoring.monitoringChannels[0].path;
    const body = monitoring.monitoringErrorShape.render({
      status: upgrade ? 426 : 404,
      code: upgrade ? 'UPGRADE_REQUIRED' : 'NOT_FOUND',
      message: upgrade
        ? 'This port serves the /monitoring WebSocket only: send an upgrade request'
        : 'This port serves only the /monitoring WebSocket',
    });
    res.writeHead(upgrade ? 426 : 404, {
      'content-type': 'application/json; charset=utf-8',
      ...(upgrade ? { upgrade: 'websocket', connection: 'Upgrade' } : {}),
    });
    res.end(JSON.stringify(body));
  });
}

export const monitoringModule = defineSurfaceModule<MonitoringApi, MonitoringRepositories>({
  name: 'monitoring',
  errorShape: monitoring.monitoringErrorShape,
  prefixes: [
    '/api/v1/status',
    '/api/v1/config',
    '/api/v1/services',
    '/api/v1/metrics/',
    '/api/v1/alerts',
    '/api/v1/logs',
    '/monitoring',
  ],
  store: monitoringStore,
  async mount({
    app,
    config,
    repositories,
    validateResponses,
    gateway,
    hub,
    auth,
    sampler,
    mediaStack,
    now,
    monotonic,
    logger,
    logTap,
    bus,
  }) {
    // Tokens as everywhere, plus forward-auth headers and open LAN reads where configured.
    const access = createMonitoringAccess(auth, config);
    const logs = new LogKeeper(repositories.logs, config.monitoringLogRows, logger);
    const unlisten = logTap.listen(logs.ingest);
    // The step-free clock: the wall time at start advanced by monotonic time (history.ts).
    const startedWall = now();
    const startedMono = monotonic();
    const steadyNow = () => startedWall + (monotonic() - startedMono);
    const retention: HistoryRetention = {
      second: config.monitoringSecondTierHours * 3600,
      minute: config.monitoringMinuteTierDays * 86_400,
      hour: config.monitoringHourTierDays * 86_400,
    };
    const history = new TieredHistory(repositories.history, retention);
    const stored = async <T>(
      key: string,
      schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
      fallback: T,
    ): Promise<T> => {
      const record = await repositories.settings.get(key);
      if (record === undefined) return fallback;
      const parsed = schema.safeParse(record.value);
      if (parsed.success) return parsed.data;
      // Saved by a version whose schema differed: serve the default rather than fail every read.
      logger.warn({ key }, 'monitoring: a stored setting no longer validates; using the default');
      return fallback;
    };
    let alertSettings = await stored(
      ALERT_SETTINGS_KEY,
      monitoring.AlertSettings,
      DEFAULT_ALERT_SETTINGS,
    );
    const notifier = new Notifier({
      logger,
      attempts: config.monitoringNotifyAttempts,
      retryBaseMs: config.monitoringNotifyRetryMs,
      notifySend: config.monitoringNotifySend,
    });
    // Several instances (MARQUEE_REDIS_URL): one records history and evaluates alerts (and
    // notifies) under a lease; its alerts reach the other instances' sockets through the bus.
    const recorder = bus.lease(RECORDER_LEASE);
    const alerts = new ThresholdAlerts(
      repositories.alerts,
      (record) => {
        const view = alertView(record);
        hub.publish(MONITORING_TOPIC, { type: 'alert', data: view });
        bus.broadcast(ALERT_MESSAGE, view);
        notifier.notify(view, alertSettings);
      },
      // An alert that ended: the channels its level routes to hear it is over.
      (record) => notifier.notify(alertView(record), alertSettings, 'resolved'),
    );
    const stopBus = [
      bus.on(ALERT_MESSAGE, (view) => hub.publish(MONITORING_TOPIC, { type: 'alert', data: view })),
      // Saved on another instance: read again (the holder evaluates with the new thresholds).
      bus.on(SETTINGS_MESSAGE, () => {
        void (async () => {
          alertSettings = await stored(
            ALERT_SETTINGS_KEY,
            monitoring.AlertSettings,
            DEFAULT_ALERT_SETTINGS,
          );
          configuration = await stored(CONFIG_KEY, monitoring.SystemConfig, DEFAULT_CONFIG);
          services.sync(configuration.services);
        })().catch((error: unknown) => {
          logger.error({ err: error }, 'monitoring: reading the settings saved elsewhere failed');
        });
      }),
      recorder.onChange((held) => {
        // Another instance evaluates from now on, afresh: end what this one had open.
        if (!held) alerts.endAll(now()).catch(() => undefined);
        logger.info(
          { node: bus.nodeId },
          held
            ? 'monitoring: this instance records history and evaluates alerts'
            : 'monitoring: another instance records history and evaluates alerts',
        );
      }),
    ];

    const services = new Services({
      docker:
        config.dockerSocket === undefined ? undefined : createDockerClient(config.dockerSocket),
      mediaStack,
      restartAllow: config.monitoringRestartAllow,
      now,
      logger,
      onStatus: (change) => hub.publish(MONITORING_TOPIC, { type: 'status', data: change }),
      audit: (actor, name) =>
        repositories.settings.record(
          { actor, at: new Date(now()).toISOString(), action: 'service.restart' },
          { name },
        ),
    });
    // The configuration as last read or saved (the service watch asks for it synchronously).
    let configuration = await stored(CONFIG_KEY, monitoring.SystemConfig, DEFAULT_CONFIG);
    const systemConfig = () => configuration;
    services.sync(systemConfig().services);
    services.watchDocker(
      () => systemConfig().services,
      () => hub.subscriberCount(MONITORING_TOPIC) > 0,
      config.monitoringServicesPollMs,
    );

    const latency = new LatencyProbe({
      target: config.monitoringLatencyTarget,
      intervalMs: config.monitoringLatencyIntervalMs,
      monotonic,
    });
    latency.start();

    let latest: Observation | undefined;
    let previous: { rx: number; tx: number; at: number; mono: number } | undefined;
    const observe = (sample: SystemSample): Observation | undefined => {
      if (latest?.sample === sample) return latest;
      const reading = sampler.readingOf(sample);
      if (reading === undefined) return undefined;
      const at = now();
      const mono = monotonic();
      // Rates divide by a duration: monotonic, so a wall-clock step gives no negative rate.
      const seconds = previous === undefined ? 0 : (mono - previous.mono) / 1000;
      if (
        previous !== undefined &&
        Math.abs(at - previous.at - (mono - previous.mono)) > CLOCK_STEP_MS
      ) {
        logger.warn(
          { step_seconds: Math.round((at - previous.at - (mono - previous.mono)) / 1000) },
          'monitoring: the wall clock stepped; history resumes once it passes the newest stored sample',
        );
      }
      const rate = (current: number, before: number | undefined) =>
        before === undefined || seconds <= 0 || current < before ? 0 : (current - before) / seconds;
      const observation: Observation = {
        sample,
        reading,
        at,
        rxRate: rate(reading.rxBytes, previous?.rx),
        txRate: rate(reading.txBytes, previous?.tx),
        latencyMs: latency.latest,
      };
      previous = { rx: reading.rxBytes, tx: reading.txBytes, at, mono };
      latest = observation;
      return observation;
    };

    const onSample = (sample: SystemSample): void => {
      const observation = observe(sample);
      if (observation === undefined) return;
      const failed = (error: unknown) => {
        logger.error({ err: error }, 'monitoring: recording a sample failed');
      };
      // Each is applied in order on its own chain; a failure is logged, later samples go on.
      if (recorder.held) {
        history.ingest(historySample(observation), Math.floor(steadyNow() / 1000)).catch(failed);
        alerts.evaluate(usageOf(observation), alertSettings, observation.at).catch(failed);
      }
      if (hub.subscriberCount(MONITORING_TOPIC) > 0) {
        hub.publishLatest(MONITORING_TOPIC, METRICS_KEY, {
          type: 'metrics',
          data: systemMetrics(observation, alertSettings),
        });
      }
    };

    // Recording keeps the sampler running; without it the socket's subscribers do.
    let unsubscribe: (() => void) | undefined;
    const start = () => {
      unsubscribe ??= sampler.subscribe(onSample);
    };
    const stopHooks: (() => void)[] = [];
    if (config.monitoringRecord) start();
    else {
      stopHooks.push(
        hub.onFirstSubscriber(MONITORING_TOPIC, start),
        hub.onLastUnsubscribed(MONITORING_TOPIC, () => {
          unsubscribe?.();
          unsubscribe = undefined;
        }),
      );
    }

    const current = async (): Promise<Observation> => {
      const observation = observe(await sampler.latest());
      if (observation === undefined) {
        // Only a sample that is not the sampler's own has no reading: a bug, answered 500.
        throw new Error('The system sample has no reading');
      }
      return observation;
    };

    // Routes still marked `planned` in the SDK's table would not be served (none is now).
    const served = monitoring.monitoringRoutes.filter(
      (route): route is ServedRoute => !isPlanned(route),
    );
    mountRoutes(app, served, {
      surface: monitoring.monitoringSurface,
      authenticate: (request, policy, scope) => access(request.raw, policy, scope),
      validateResponses,
      handlers: {
        'monitoring.status': async () => {
          const o = await current();
          const metrics = systemMetrics(o, alertSettings);
          const critical = [metrics.cpu, metrics.memory, metrics.disk].some(
            (each) => each.status === 'critical',
          );
          return {
            status: critical ? ('degraded' as const) : ('running' as const),
            uptime: humanUptime(o.reading.uptimeSeconds),
            cpu_usage: metrics.cpu.usage,
            memory_usage: metrics.memory.used,
            disk_usage: metrics.disk.usage,
          };
        },
        'monitoring.metricsCurrent': async () => {
          const o = await current();
          return {
            timestamp: new Date(o.at).toISOString(),
            metrics: systemMetrics(o, alertSettings),
          };
        },
        'monitoring.metricsHistory': async ({ query }) => {
          const nowMs = now();
          const endMs = query.end === undefined ? nowMs : Date.parse(query.end);
          const startMs = query.start === undefined ? endMs - 3_600_000 : Date.parse(query.start);
          const resolution = Math.max(
            1,
            Math.round((monitoring.resolutionMs(query.resolution) ?? 300_000) / 1000),
          );
          const answer = await history.query(
            {
              start: Math.floor(startMs / 1000),
              end: Math.ceil(endMs / 1000),
              resolution,
              maxPoints: query.maxPoints,
            },
            Math.floor(nowMs / 1000),
          );
          return {
            metrics: answer.points.map(historyPoint),
            resolution: formatResolution(answer.resolution),
            start: new Date(startMs).toISOString(),
            end: new Date(endMs).toISOString(),
          };
        },
        'monitoring.getConfig': async () => {
          // Read from the store (another instance may have saved one); the copy follows it.
          configuration = await stored(CONFIG_KEY, monitoring.SystemConfig, DEFAULT_CONFIG);
          return configuration;
        },
        'monitoring.putConfig': async ({ body, identity }) => {
          await repositories.settings.put(CONFIG_KEY, body, {
            actor: actorOf(identity),
            at: new Date(now()).toISOString(),
            action: 'config.update',
          });
          configuration = body;
          bus.broadcast(SETTINGS_MESSAGE, {});
          logger.info({ actor: actorOf(identity) }, 'monitoring: configuration updated');
          services.sync(body.services);
          return body;
        },
        'monitoring.getAlertSettings': () => redactSettings(alertSettings),
        'monitoring.updateAlertSettings': async ({ body: posted, identity }) => {
          const body = restoreSecrets(posted, alertSettings);
          await repositories.settings.put(ALERT_SETTINGS_KEY, body, {
            actor: actorOf(identity),
            at: new Date(now()).toISOString(),
            action: 'alertSettings.update',
          });
          alertSettings = body;
          bus.broadcast(SETTINGS_MESSAGE, {});
          logger.info({ actor: actorOf(identity) }, 'monitoring: alert settings updated');
          return redactSettings(body);
        },
        'monitoring.testNotification': async ({ body, identity }) => {
          const at = new Date(now()).toISOString();
          const alert: protocol.monitoring.Alert = {
            id: `test-${now()}`,
            timestamp: at,
            level: body.level,
            message: `Test notification from Marquee (${body.level}), sent by ${actorOf(identity)}`,
            source: 'test',
            details: {},
          };
          const results = await Promise.all(
            targets(alertSettings, body.level).map(async (channel) => {
              const result = await notifier.send(channel, alert, 'test');
              return {
                name: channel.name,
                type: channel.type,
                ok: result.ok,
                ...(result.status === undefined ? {} : { status: result.status }),
                ...(result.error === undefined ? {} : { error: result.error }),
              };
            }),
          );
          logger.info(
            { actor: actorOf(identity), channels: results.length },
            'monitoring: test notification sent',
          );
          return { results };
        },
        'monitoring.services': async () => {
          const { services: names, domain } = systemConfig();
          return { services: await services.list(names, domain) };
        },
        'monitoring.servicesHealth': async () => ({
          services: await services.health(systemConfig().services),
        }),
        'monitoring.serviceLogs': ({ params, query }) =>
          services.logs(params.name, systemConfig().services, query),
        'monitoring.restartService': ({ params, identity }) =>
          services.restart(params.name, systemConfig().services, actorOf(identity)),
        'monitoring.logs': async ({ query }) => ({
          logs: (
            await logs.list({
              ...(query.level === undefined ? {} : { level: query.level }),
              ...(query.since === undefined ? {} : { since: Date.parse(query.since) }),
              limit: query.limit,
            })
          ).map((record) => ({
            timestamp: new Date(record.ts).toISOString(),
            level: record.level,
            message: record.message,
            ...(record.context === null ? {} : { context: record.context }),
          })),
        }),
        'monitoring.alerts': async ({ query }) => {
          const { alerts: records, total } = await repositories.alerts.list({
            ...(query.level === undefined ? {} : { level: query.level }),
            ...(query.since === undefined ? {} : { since: Date.parse(query.since) }),
            limit: query.limit,
          });
          return { alerts: records.map(alertView), total, hasMore: total > records.length };
        },
      },
    });

    const channel = monitoring.monitoringChannels[0];
    gateway.channel<Identity | undefined>(channel.path, {
      authorize: (req, url) => access(req, channel.auth, monitoring.monitoringSurface.name, url),
      identityOf: (identity) => identity,
      onConnection: (conn) => {
        hub.subscribe(MONITORING_TOPIC, conn);
        // The newest sample at once, so a client need not wait a whole interval.
        if (latest !== undefined) {
          conn.sendLatest(
            METRICS_KEY,
            JSON.stringify({ type: 'metrics', data: systemMetrics(latest, alertSettings) }),
          );
        }
      },
      renderError: (error) =>
        monitoring.monitoringErrorShape.render({
          status: error.status,
          code: error.code,
          message: error.message,
        }),
    });

    // Seed 003's second port (its ws://localhost:3001/monitoring): the same channel, nothing else.
    let wsPort: { server: Server; detach: () => void; url: string } | undefined;
    const listen = async () => {
      if (config.monitoringWsPort === undefined || wsPort !== undefined) return;
      const server = wsPortOnly();
      const detach = gateway.attach(server, [channel.path]);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.monitoringWsPort, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      wsPort = { server, detach, url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}` };
      logger.info({ port }, 'monitoring: WebSocket port listening');
    };

    return {
      api: {
        repositories,
        history,
        latest: () => latest,
        notifier,
        logs,
        services,
        wsPortUrl: () => wsPort?.url,
      },
      listen,
      stop: async () => {
        latency.stop();
        if (wsPort !== undefined) {
          // New connections stop now; the sockets already open are closed by the gateway.
          wsPort.detach();
          wsPort.server.close();
          wsPort = undefined;
        }
        notifier.close();
        services.close();
        for (const stop of [...stopHooks, ...stopBus]) stop();
        unsubscribe?.();
        unsubscribe = undefined;
        const recorded = recorder.held;
        recorder.release();
        try {
          // After the samples already taken are stored: the store closes once every surface stopped.
          await history.flush();
          // Only the instance that evaluated them: the next holder goes on from the open ones.
          if (recorded) await alerts.endAll(now());
        } catch (error) {
          logger.error({ err: error }, 'monitoring: ending the open alerts failed');
        }
        // Last, so the lines logged while stopping are kept too.
        unlisten();
        await logs.close();
      },
    };
  },
});
