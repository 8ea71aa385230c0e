/**
 * The MQTT bridge for Home Assistant (seed 000's "MQTT bridge"), on when `MARQUEE_MQTT_URL` is set.
 * It connects with MQTT.js (reconnecting on its own, with a retained `offline` last will on
 * `<prefix>/<node>/status`, `online` published there on every connect), announces its entities
 * through Home Assistant discovery, and publishes what the server already produces: Now Playing
 * and system stats from the Now Playing hub topic, alerts from the monitoring hub topic, VRAM
 * from the GPU surface's shared sampler. It never reads the machine itself. Commands: see
 * commands.ts. On every (re)connect, and when Home Assistant announces itself online on
 * `<discovery_prefix>/status`, every retained config and state is published again.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { protocol } from '@marquee/sdk';
import { connect, type MqttClient } from 'mqtt';
import type { Config } from '../../core/config';
import type { Hub } from '../../core/ws';
import type { SharedSampler } from '../../core/shared-sampler';
import type { PlaybackControl } from '../../surfaces/now-playing/control';
import type { Signage } from '../../surfaces/signage/module';
import type { VramSample } from '../../surfaces/gpu/vram-sampler';
import { AlertEntities } from './alerts';
import { MqttCommands } from './commands';
import { deviceFor, topicsFor, type Topics } from './discovery';
import { Entities } from './entities';
import { GpuEntities } from './gpu';
import { tapHub } from './hub-tap';
import { NowPlayingEntities } from './now-playing';
import { Publisher } from './publisher';

export type MqttConfig = Pick<
  Config,
  | 'mqttUrl'
  | 'mqttUsername'
  | 'mqttPassword'
  | 'mqttTopicPrefix'
  | 'mqttDiscoveryPrefix'
  | 'mqttNodeId'
  | 'mqttCommands'
  | 'mqttMinIntervalMs'
  | 'mqttMaxQueued'
>;

export interface MqttLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface MqttBridgeOptions {
  readonly config: MqttConfig & { readonly mqttUrl: string };
  readonly hub: Hub;
  /** The Now Playing and monitoring hub topics. */
  readonly topics: { readonly nowPlaying: string; readonly monitoring: string };
  /** The GPU surface's shared nvidia-smi sampler, when it is mounted. */
  readonly gpuSampler?: SharedSampler<VramSample>;
  readonly signage: Pick<Signage, 'store' | 'commands' | 'connections'>;
  readonly control: PlaybackControl;
  readonly version: string;
  readonly logger: MqttLogger;
  /** Unix ms. @default Date.now */
  readonly now?: () => number;
  /** Between reconnect attempts. @default 1000 */
  readonly reconnectPeriodMs?: number;
}

export interface MqttBridge {
  readonly topics: Topics;
  readonly client: MqttClient;
  readonly publisher: Publisher;
  /** Publishes `offline` (retained), then disconnects. */
  stop(): Promise<void>;
}

/** How long a shutdown waits for the broker to take the `offline` message. */
const STOP_GRACE_MS = 2000;

/** `marquee_<hostname>`, cut to the characters a node id allows. */
export function defaultNodeId(): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .slice(0, 48);
  return `marquee_${host || 'server'}`;
}

export function startMqttBridge(options: MqttBridgeOptions): MqttBridge {
  const { config, hub, logger } = options;
  const now = options.now ?? Date.now;
  const nodeId = config.mqttNodeId ?? defaultNodeId();
  const topics = topicsFor(config.mqttTopicPrefix, config.mqttDiscoveryPrefix, nodeId);
  const commandBase = `${topics.base}/command/`;
  const haStatus = `${topics.discoveryPrefix}/status`;

  const client = connect(config.mqttUrl, {
    clientId: `${nodeId}-${randomBytes(4).toString('hex')}`,
    ...(config.mqttUsername === undefined ? {} : { username: config.mqttUsername }),
    ...(config.mqttPassword === undefined ? {} : { password: config.mqttPassword }),
    will: { topic: topics.availability, payload: Buffer.from('offline'), qos: 1, retain: true },
    reconnectPeriod: options.reconnectPeriodMs ?? 1000,
    connectTimeout: 10_000,
    // Nothing is handed to MQTT.js while offline (see publisher.ts); this keeps it so.
    queueQoSZero: false,
    clean: true,
  });
  const publisher = new Publisher({
    client,
    minIntervalMs: config.mqttMinIntervalMs,
    maxQueued: config.mqttMaxQueued,
    now,
    onError: (error, topic) => logger.warn({ err: error, topic }, 'mqtt: publish failed'),
  });
  const entities = new Entities(publisher, topics, deviceFor(nodeId, options.version));
  const nowPlaying = new NowPlayingEntities(entities);
  const alerts = new AlertEntities(entities);
  const gpu = new GpuEntities(entities);
  const policy = config.mqttCommands;
  const commands =
    policy === undefined
      ? undefined
      : new MqttCommands({
          policy,
          signage: options.signage,
          control: options.control,
          now,
          publishResult: (result) =>
            publisher.event(`${topics.base}/result`, JSON.stringify(result)),
        });

  let wasConnected = false;
  client.on('connect', () => {
    logger.info({ url: redactUrl(config.mqttUrl), node: nodeId }, 'mqtt: connected');
    client.publish(topics.availability, 'online', { qos: 1, retain: true });
    const subscriptions = [haStatus, ...(commands ? [`${commandBase}#`] : [])];
    client.subscribe(subscriptions, { qos: 1 }, (error) => {
      if (error) logger.warn({ err: error }, 'mqtt: subscribe failed');
    });
    publisher.flush(wasConnected);
    wasConnected = true;
  });
  let stopping: Promise<void> | undefined;
  client.on('close', () => {
    if (wasConnected && stopping === undefined)
      logger.warn({ node: nodeId }, 'mqtt: connection lost; reconnecting');
  });
  // Without a listener an 'error' event would end the process; the client reconnects by itself.
  client.on('error', (error) => logger.warn({ err: error }, 'mqtt: client error'));
  client.on('message', (topic, payload) => {
    if (topic === haStatus) {
      if (payload.toString() === 'online') entities.reannounce();
      return;
    }
    if (commands && topic.startsWith(commandBase)) {
      const kind = topic.slice(commandBase.length);
      void commands.handle(kind, payload);
    }
  });

  const onError = (error: unknown) => logger.warn({ err: error }, 'mqtt: source message failed');
  const stops: (() => void)[] = [
    tapHub(
      hub,
      options.topics.nowPlaying,
      protocol.nowPlaying.Snapshot,
      (s) => nowPlaying.onSnapshot(s),
      onError,
    ),
    tapHub(
      hub,
      options.topics.monitoring,
      protocol.monitoring.MonitoringServerMessage,
      (m) => alerts.onMessage(m),
      onError,
    ),
  ];
  if (options.gpuSampler) {
    let unsubscribe: (() => void) | undefined;
    unsubscribe = options.gpuSampler.subscribe((sample) => {
      if (sample.status.state === 'not_installed') {
        // No nvidia-smi on this machine: no GPU entities, and no reason to keep running it.
        unsubscribe?.();
        unsubscribe = undefined;
        return;
      }
      gpu.onStatus(sample.status);
    });
    stops.push(() => unsubscribe?.());
  }

  return {
    topics,
    client,
    publisher,
    stop() {
      stopping ??= (async () => {
        for (const stop of stops) stop();
        commands?.stop();
        publisher.stop();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = () => new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)));
        if (client.connected) {
          // Bounded: a broker that stopped answering must not hold up the shutdown.
          await Promise.race([
            client
              .publishAsync(topics.availability, 'offline', { qos: 1, retain: true })
              .catch((error: unknown) =>
                logger.warn({ err: error }, 'mqtt: could not publish offline'),
              ),
            grace(),
          ]);
          clearTimeout(timer);
        }
        // A clean DISCONNECT (so the broker does not publish the will as well), within the grace;
        // past it the connection is dropped.
        const ended = await Promise.race([client.endAsync().then(() => true), grace()]);
        clearTimeout(timer);
        if (ended !== true) await client.endAsync(true);
      })();
      return stopping;
    },
  };
}

/** The broker URL without its password, for the log. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
