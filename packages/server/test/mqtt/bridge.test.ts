/**
 * The MQTT bridge against the real local Mosquitto and a real server on port 0: Home Assistant
 * discovery configs valid for Home Assistant's documented schema and retained, the availability
 * topic, a Now Playing session's sensors created when it is posted and removed when it stops,
 * system stats and alert states, a signage command from the command topic to a simulated TV's
 * ack and back as results, a session paused and stopped through its player, refused and
 * malformed commands answered on the result topic, the last will when the server process is
 * killed, and a broker outage (a cut TCP proxy) survived.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPlayerClient } from '@marquee/sdk';
import { TvSimulator } from '@marquee/simulators';
import { afterEach, describe, expect, it } from 'vitest';
import { startGpuServer } from '../helpers/gpu-host';
import { call, startTestServer, type TestServer } from '../helpers/server';
import { cleanEnv } from '../helpers/cli';
import {
  BROKER_HOST,
  BROKER_PORT,
  BROKER_URL,
  brokerUp,
  freshNames,
  waitFor,
  Watcher,
} from './broker';
import { BinarySensorConfig, DISCOVERY_TOPIC, SensorConfig } from './ha-discovery-schema';
import { TcpProxy } from './tcp-proxy';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  readonly t: TestServer;
  readonly watcher: Watcher;
  readonly names: ReturnType<typeof freshNames>;
  readonly base: string;
}

async function setup(overrides: Record<string, unknown> = {}, url = BROKER_URL): Promise<Setup> {
  const names = freshNames();
  const watcher = await Watcher.open([
    `${names.mqttTopicPrefix}/#`,
    `${names.mqttDiscoveryPrefix}/#`,
  ]);
  cleanups.push(() => watcher.close());
  const t = await startTestServer({
    mqttUrl: url,
    ...names,
    mqttMinIntervalMs: 100,
    sampleIntervalMs: 100,
    ...overrides,
  });
  cleanups.push(() => t.close());
  return { t, watcher, names, base: `${names.mqttTopicPrefix}/${names.mqttNodeId}` };
}

function configTopic(s: Setup, component: string, objectId: string): string {
  return `${s.names.mqttDiscoveryPrefix}/${component}/${s.names.mqttNodeId}/${objectId}/config`;
}

const session = {
  session_id: 'living-room 1',
  path: '/data/movies/matrix.mp4',
  title: 'The Matrix',
  media_type: 'movie',
  current_time: 600,
  duration: 6000,
  state: 'playing',
  username: 'John',
};

describe.skipIf(!brokerUp)('MQTT bridge', () => {
  it('announces valid, retained Home Assistant entities and follows a session from start to stop', async () => {
    const s = await setup();
    const { watcher, base } = s;
    await waitFor(() => expect(watcher.latest.get(`${base}/status`)?.payload).toBe('online'));

    // Static entities: the summary, system figures, alert kinds; every config valid for HA.
    const summaryTopic = configTopic(s, 'sensor', 'now_playing_sessions');
    await waitFor(() => {
      expect(watcher.json(summaryTopic)).toBeDefined();
      expect(watcher.json(configTopic(s, 'binary_sensor', 'alert_disk'))).toBeDefined();
      expect(watcher.json(configTopic(s, 'sensor', 'system_cpu'))).toBeDefined();
    });
    const configs = [...watcher.latest.values()].filter(
      (m) => m.topic.startsWith(`${s.names.mqttDiscoveryPrefix}/`) && m.payload !== '',
    );
    expect(configs.length).toBeGreaterThanOrEqual(13);
    const uniqueIds = new Set<string>();
    for (const message of configs) {
      const match = DISCOVERY_TOPIC.exec(message.topic);
      expect(match, message.topic).not.toBeNull();
      expect(match?.[1]).toBe(s.names.mqttDiscoveryPrefix);
      expect(match?.[3]).toBe(s.names.mqttNodeId);
      const schema = match?.[2] === 'binary_sensor' ? BinarySensorConfig : SensorConfig;
      const parsed = schema.safeParse(JSON.parse(message.payload));
      expect(
        parsed.success,
        `${message.topic}: ${parsed.success ? '' : parsed.error.message}`,
      ).toBe(true);
      const config = JSON.parse(message.payload) as Record<string, unknown>;
      expect(config.availability_topic).toBe(`${base}/status`);
      expect(config.device).toMatchObject({
        identifiers: [`marquee_${s.names.mqttNodeId}`],
        manufacturer: 'Marquee',
      });
      uniqueIds.add(String(config.unique_id));
    }
    expect(uniqueIds.size).toBe(configs.length);

    // States: system figures from the shared sampler (the fake source), alert kinds, summary.
    await waitFor(() => {
      expect(watcher.json(`${base}/system`)).toMatchObject({ cpu_percent: 23.4, cpu_temp: 54.2 });
      expect(watcher.json(`${base}/alerts/cpu`)).toMatchObject({
        active: false,
        status: 'healthy',
      });
      expect(watcher.json(`${base}/now_playing/summary`)).toMatchObject({ active_sessions: 0 });
    });

    // A session appears: its sensors are announced and its state published.
    const token = await s.t.login();
    const posted = await call(`${s.t.url}/api/dashboard/session/update`, { token, body: session });
    expect(posted.status).toBe(200);
    const sessionConfig = () =>
      configs
        .concat([...watcher.latest.values()])
        .find((m) => /\/sensor\/[^/]+\/session_living-room_1_[0-9a-f]{8}\/config$/.test(m.topic));
    await waitFor(() => expect(sessionConfig()?.payload).toBeTruthy());
    const config = SensorConfig.parse(JSON.parse(sessionConfig()?.payload ?? ''));
    expect(config.value_template).toBe('{{ value_json.state }}');
    await waitFor(() =>
      expect(watcher.json(config.state_topic)).toMatchObject({
        state: 'playing',
        title: 'The Matrix',
        user: 'John',
        progress: 10,
        media_type: 'movie',
      }),
    );
    await waitFor(() =>
      expect(watcher.json(`${base}/now_playing/summary`)).toMatchObject({
        active_sessions: 1,
        sessions: [{ session_id: 'living-room 1', title: 'The Matrix', user: 'John' }],
      }),
    );

    // Retained: Home Assistant starting now gets the configs and states at once.
    const late = await Watcher.open([`${s.names.mqttDiscoveryPrefix}/#`, `${base}/#`]);
    cleanups.push(() => late.client.endAsync(true));
    const topic = sessionConfig()?.topic ?? '';
    await waitFor(() => {
      expect(late.latest.get(topic)?.retain).toBe(true);
      expect(late.latest.get(`${base}/status`)).toMatchObject({ payload: 'online', retain: true });
      expect(late.json(config.state_topic)).toMatchObject({ title: 'The Matrix' });
    });

    // The session ends: its config is removed (empty retained) and its state cleared.
    const stopped = await call(
      `${s.t.url}/api/dashboard/session/${encodeURIComponent(session.session_id)}/stop`,
      { token, method: 'POST' },
    );
    expect(stopped.status).toBe(200);
    await waitFor(() => {
      expect(watcher.latest.get(topic)?.payload).toBe('');
      expect(watcher.latest.get(config.state_topic)?.payload).toBe('');
      expect(watcher.json(`${base}/now_playing/summary`)).toMatchObject({ active_sessions: 0 });
    });
    const after = await Watcher.open([`${s.names.mqttDiscoveryPrefix}/#`]);
    cleanups.push(() => after.client.endAsync(true));
    await waitFor(() => expect(after.latest.has(summaryTopic)).toBe(true));
    expect(after.latest.has(topic)).toBe(false);

    // Home Assistant restarts and says so on <discovery_prefix>/status: every config again.
    const announced = watcher.messages(summaryTopic).length;
    await watcher.publish(`${s.names.mqttDiscoveryPrefix}/status`, 'online');
    await waitFor(() => expect(watcher.messages(summaryTopic).length).toBe(announced + 1));

    // The server shuts down: availability says so (retained).
    await s.t.close();
    await waitFor(() => expect(watcher.latest.get(`${base}/status`)?.payload).toBe('offline'));
    // A clean DISCONNECT: the broker does not publish the last will on top of it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(watcher.messages(`${base}/status`).map((m) => m.payload)).toEqual(['online', 'offline']);
  });

  it('publishes GPU VRAM from the shared nvidia-smi sampler and alert states from monitoring', async () => {
    const names = freshNames();
    const base = `${names.mqttTopicPrefix}/${names.mqttNodeId}`;
    const watcher = await Watcher.open([`${base}/#`, `${names.mqttDiscoveryPrefix}/#`]);
    cleanups.push(() => watcher.close());
    const gpu = await startGpuServer({
      mqttUrl: BROKER_URL,
      ...names,
      mqttMinIntervalMs: 100,
      sampleIntervalMs: 100,
      gpuSampleIntervalMs: 100,
    });
    cleanups.push(() => gpu.close());
    const config = (objectId: string, component = 'sensor') =>
      watcher.json(
        `${names.mqttDiscoveryPrefix}/${component}/${names.mqttNodeId}/${objectId}/config`,
      );
    await waitFor(() => {
      expect(config('gpu1_vram_percent')).toBeDefined();
      expect(watcher.json(`${base}/gpu/1`)).toMatchObject({ total_mb: expect.any(Number) });
    });
    for (const objectId of ['gpu0_vram_used', 'gpu0_vram_total', 'gpu0_vram_percent']) {
      expect(SensorConfig.safeParse(config(objectId)).success, objectId).toBe(true);
    }
    const state = watcher.json(`${base}/gpu/0`) as {
      used_mb: number;
      total_mb: number;
      percent: number;
    };
    expect(state.percent).toBeCloseTo((state.used_mb / state.total_mb) * 100, 0);
    // One nvidia-smi reader: the bridge is one more subscriber of the surface's sampler.
    expect(gpu.t.server.gpu.sampler.subscriberCount).toBe(1);

    // CPU over the critical line: the CPU alert turns on and the alert is the last one.
    gpu.t.source.reading = { ...gpu.t.source.reading, cpuPercent: 97 };
    await waitFor(() => {
      expect(watcher.json(`${base}/alerts/cpu`)).toEqual({ active: true, status: 'critical' });
      expect(watcher.json(`${base}/alerts/last`)).toMatchObject({
        level: 'error',
        message: expect.stringContaining('CPU usage 97%') as unknown,
      });
    });
    expect(watcher.json(`${base}/alerts/memory`)).toEqual({ active: false, status: 'healthy' });
    expect(BinarySensorConfig.safeParse(config('alert_cpu', 'binary_sensor')).success).toBe(true);
    gpu.t.source.reading = { ...gpu.t.source.reading, cpuPercent: 10 };
    await waitFor(() =>
      expect(watcher.json(`${base}/alerts/cpu`)).toEqual({ active: false, status: 'healthy' }),
    );
  }, 30_000);

  it('carries a signage command from the command topic to the TV and publishes its results', async () => {
    const SN = 'MQTT-TV-1';
    const s = await setup({
      mqttCommands: JSON.stringify({
        signage: { devices: [SN], actions: ['set_volume', 'reload_playlist'] },
        playback: { actions: ['pause'] },
      }),
    });
    const credentials = { username: 'tv-mqtt', password: 'device-password-1' };
    await s.t.server.auth.createUser({ ...credentials, role: 'device' });
    const tv = new TvSimulator({ server: s.t.url, credentials, snNumber: SN });
    cleanups.push(() => tv.stop());
    await tv.start();
    await waitFor(() => expect(s.t.server.signage.connections.isOnline(SN)).toBe(true));
    await waitFor(() => expect(s.watcher.latest.get(`${s.base}/status`)?.payload).toBe('online'));

    const results = () =>
      s.watcher
        .messages(`${s.base}/result`)
        .map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    const command = `${s.base}/command/signage`;
    await s.watcher.publish(
      command,
      JSON.stringify({ id: 'vol-1', sn_number: SN, command: { action: 'set_volume', volume: 30 } }),
    );
    await waitFor(() =>
      expect(
        results()
          .filter((r) => r.id === 'vol-1')
          .map((r) => r.status),
      ).toEqual(['accepted', 'acked']),
    );
    const [accepted, acked] = results().filter((r) => r.id === 'vol-1');
    expect(acked).toMatchObject({ ok: true, kind: 'signage', sn_number: SN });
    expect(acked?.command_id).toBe(accepted?.command_id);
    expect(tv.commands.filter((c) => c.action.action === 'set_volume')).toHaveLength(1);
    const stored = await s.t.server.signage.store.commands.find(String(acked?.command_id));
    expect(stored?.state).toBe('acked');

    // Refused: a device, an action and a kind outside the allow-list; a repeated id; bad input.
    const send = (topic: string, payload: string) => s.watcher.publish(topic, payload);
    await send(
      command,
      JSON.stringify({ id: 'other-tv', sn_number: 'OTHER', command: { action: 'next' } }),
    );
    await send(
      command,
      JSON.stringify({ id: 'not-allowed', sn_number: SN, command: { action: 'next' } }),
    );
    await send(
      command,
      JSON.stringify({ id: 'vol-1', sn_number: SN, command: { action: 'set_volume', volume: 5 } }),
    );
    await send(command, '{not json');
    await send(
      command,
      JSON.stringify({
        id: 'bad-volume',
        sn_number: SN,
        command: { action: 'set_volume', volume: 900 },
      }),
    );
    await send(`${s.base}/command/reboot`, JSON.stringify({ id: 'reboot-1' }));
    await send(
      `${s.base}/command/playback`,
      JSON.stringify({ id: 'stop-1', session_id: 'x', action: 'stop' }),
    );
    await send(
      `${s.base}/command/playback`,
      JSON.stringify({ id: 'pause-1', session_id: 'nobody', action: 'pause' }),
    );
    const code = (id: string | null) =>
      results().find((r) => r.id === id && r.status === 'error')?.error;
    await waitFor(() => {
      expect(code('other-tv')).toMatchObject({ code: 'FORBIDDEN' });
      expect(code('not-allowed')).toMatchObject({ code: 'FORBIDDEN' });
      expect(code('vol-1')).toMatchObject({ code: 'DUPLICATE' });
      expect(code(null)).toMatchObject({ code: 'INVALID_PAYLOAD', message: 'Not JSON' });
      expect(code('bad-volume')).toMatchObject({ code: 'INVALID_PAYLOAD' });
      expect(code('reboot-1')).toMatchObject({ code: 'UNKNOWN_COMMAND' });
      expect(code('stop-1')).toMatchObject({ code: 'FORBIDDEN' });
      expect(code('pause-1')).toMatchObject({ code: 'NOT_FOUND' });
    });
    // None of them reached the TV, and the server still answers.
    expect(tv.commands.map((c) => c.action.action)).toEqual(['set_volume']);
    expect((await call(`${s.t.url}/healthz`)).status).toBe(200);
  });

  it('pauses and stops a Now Playing session through its player from the command topic', async () => {
    const s = await setup({
      mqttCommands: JSON.stringify({ playback: { actions: ['pause', 'stop'] } }),
    });
    await s.t.server.auth.createUser({
      username: 'den-player',
      password: 'player-password-1',
      role: 'operator',
    });
    const playerToken = await (async () => {
      const res = await call(`${s.t.url}/api/v1/auth/token/`, {
        body: { username: 'den-player', password: 'player-password-1' },
      });
      return (res.body as { access: string }).access;
    })();
    const player = createPlayerClient({
      baseUrl: s.t.url,
      token: () => playerToken,
      network: false,
      backoff: { initialMs: 20, maxMs: 50 },
      updateIntervalMs: 60_000,
    });
    cleanups.push(() => player.close());
    const controls: string[] = [];
    player.onControl((command) => {
      controls.push(command.action);
    });
    const ready = new Promise((resolve) => player.once('ready', resolve));
    player.connect();
    await ready;
    const claimed = new Promise((resolve) => player.once('claimed', resolve));
    await player.startSession({
      session_id: 'den-1',
      title: 'Alien',
      media_type: 'movie',
      duration: 7000,
      current_time: 700,
    });
    await claimed;
    const state = () =>
      [...s.watcher.latest.values()]
        .filter((m) => /\/now_playing\/session\/session_den-1_/.test(m.topic))
        .map((m) =>
          m.payload === '' ? undefined : (JSON.parse(m.payload) as { state: string }),
        )[0];
    await waitFor(() => expect(state()).toMatchObject({ state: 'playing', title: 'Alien' }));

    const results = () =>
      s.watcher
        .messages(`${s.base}/result`)
        .map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    const playback = `${s.base}/command/playback`;
    await s.watcher.publish(
      playback,
      JSON.stringify({ id: 'p1', session_id: 'den-1', action: 'pause' }),
    );
    await waitFor(() =>
      expect(results().find((r) => r.id === 'p1')).toMatchObject({
        ok: true,
        status: 'acked',
        session_id: 'den-1',
      }),
    );
    await waitFor(() => expect(state()).toMatchObject({ state: 'paused' }));
    expect(controls).toEqual(['pause']);

    await s.watcher.publish(
      playback,
      JSON.stringify({ id: 'p2', session_id: 'den-1', action: 'stop' }),
    );
    await waitFor(() =>
      expect(results().find((r) => r.id === 'p2')).toMatchObject({ ok: true, status: 'acked' }),
    );
    // The stop ended the session: its entities are removed.
    await waitFor(() => {
      expect(s.t.server.nowPlaying.tracker.get('den-1')).toBeUndefined();
      expect(state()).toBeUndefined();
    });
    // resume is not in the allow-list.
    await s.watcher.publish(
      playback,
      JSON.stringify({ id: 'p3', session_id: 'den-1', action: 'resume' }),
    );
    await waitFor(() =>
      expect(results().find((r) => r.id === 'p3')?.error).toMatchObject({ code: 'FORBIDDEN' }),
    );
  });

  it('accepts no command without an allow-list', async () => {
    const s = await setup();
    await waitFor(() => expect(s.watcher.latest.get(`${s.base}/status`)?.payload).toBe('online'));
    await s.watcher.publish(
      `${s.base}/command/signage`,
      JSON.stringify({ id: 'a', sn_number: 'X', command: { action: 'next' } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.watcher.messages(`${s.base}/result`)).toEqual([]);
  });

  it('leaves a retained offline last will when the server process is killed', async () => {
    const names = freshNames();
    const base = `${names.mqttTopicPrefix}/${names.mqttNodeId}`;
    // Everything under the test's names, so that closing clears the child's retained configs too.
    const watcher = await Watcher.open([`${base}/#`, `${names.mqttDiscoveryPrefix}/#`]);
    cleanups.push(() => watcher.close());
    const script = fileURLToPath(new URL('./child-server.ts', import.meta.url));
    const dataDir = mkdtempSync(join(tmpdir(), 'marquee-mqtt-child-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const child = spawn(
      process.execPath,
      ['--conditions=@marquee/source', '--import', 'tsx', script],
      {
        env: cleanEnv({
          MARQUEE_MQTT_URL: BROKER_URL,
          MARQUEE_MQTT_TOPIC_PREFIX: names.mqttTopicPrefix,
          MARQUEE_MQTT_DISCOVERY_PREFIX: names.mqttDiscoveryPrefix,
          MARQUEE_MQTT_NODE_ID: names.mqttNodeId,
          MARQUEE_DATA_DIR: dataDir,
        }),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    cleanups.push(() => {
      child.kill('SIGKILL');
    });
    await waitFor(() => expect(watcher.latest.get(`${base}/status`)?.payload).toBe('online'));
    child.kill('SIGKILL');
    await waitFor(() => expect(watcher.latest.get(`${base}/status`)?.payload).toBe('offline'));
    const late = await Watcher.open([`${base}/status`]);
    cleanups.push(() => late.client.endAsync(true));
    await waitFor(() =>
      expect(late.latest.get(`${base}/status`)).toMatchObject({ payload: 'offline', retain: true }),
    );
  }, 30_000);

  it('survives the broker going away: offline by its will, then everything published again', async () => {
    const proxy = await TcpProxy.start(BROKER_HOST, BROKER_PORT);
    cleanups.push(() => proxy.close());
    const METRICS_TOKEN = 'mqtt-test-metrics-token';
    const s = await setup({ metricsToken: METRICS_TOKEN }, proxy.url);
    const { watcher, base } = s;
    const metric = async (name: string) => {
      const res = await call(`${s.t.url}/metrics`, { token: METRICS_TOKEN });
      const line = String(res.body)
        .split('\n')
        .find((l) => l.startsWith(`${name} `));
      return Number(line?.split(' ')[1]);
    };
    await waitFor(() => expect(watcher.latest.get(`${base}/status`)?.payload).toBe('online'));
    await waitFor(() => expect(watcher.json(`${base}/now_playing/summary`)).toBeDefined());

    expect(await metric('marquee_mqtt_connected')).toBe(1);
    proxy.cut();
    await waitFor(() => expect(watcher.latest.get(`${base}/status`)?.payload).toBe('offline'));
    expect(await metric('marquee_mqtt_connected')).toBe(0);
    // What happens while the broker is away is published once it is back.
    const token = await s.t.login();
    expect(
      (await call(`${s.t.url}/api/dashboard/session/update`, { token, body: session })).status,
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(watcher.json(`${base}/now_playing/summary`)).toMatchObject({ active_sessions: 0 });

    const before = proxy.connections;
    proxy.restore();
    await waitFor(() => expect(proxy.connections).toBeGreaterThan(before));
    await waitFor(() => {
      expect(watcher.latest.get(`${base}/status`)?.payload).toBe('online');
      expect(watcher.json(`${base}/now_playing/summary`)).toMatchObject({ active_sessions: 1 });
    });
    expect(s.t.server.mqtt?.publisher.dropped).toBe(0);
    expect(await metric('marquee_mqtt_connected')).toBe(1);
    expect(await metric('marquee_mqtt_published')).toBeGreaterThan(20);
  }, 30_000);
});
