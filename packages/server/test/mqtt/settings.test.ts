/**
 * The bridge's settings: off unless MARQUEE_MQTT_URL is set (a plain start needs no broker),
 * defaults for prefixes and pacing, and bad values refused at start naming their variable.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config';
import { startTestServer } from '../helpers/server';

const load = (env: Record<string, string>) => loadConfig({ env, cwd: '/nonexistent' });

describe('MQTT settings', () => {
  it('is off by default and the server starts without a broker', async () => {
    const config = load({});
    expect(config.mqttUrl).toBeUndefined();
    expect(config.mqttCommands).toBeUndefined();
    expect(config).toMatchObject({
      mqttTopicPrefix: 'marquee',
      mqttDiscoveryPrefix: 'homeassistant',
      mqttMinIntervalMs: 2000,
      mqttMaxQueued: 1000,
    });
    const t = await startTestServer();
    try {
      expect(t.server.mqtt).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('reads the allow-list and the names', () => {
    const config = load({
      MARQUEE_MQTT_URL: 'mqtt://broker.lan:1883',
      MARQUEE_MQTT_TOPIC_PREFIX: 'home/marquee',
      MARQUEE_MQTT_NODE_ID: 'den-server',
      MARQUEE_MQTT_COMMANDS: '{"signage":{"devices":"*","actions":["reload_playlist"]}}',
    });
    expect(config.mqttCommands).toEqual({
      signage: { devices: '*', actions: ['reload_playlist'] },
    });
    expect(config.mqttTopicPrefix).toBe('home/marquee');
  });

  it.each([
    ['MARQUEE_MQTT_URL', 'http://broker:1883'],
    ['MARQUEE_MQTT_TOPIC_PREFIX', 'marquee/#'],
    ['MARQUEE_MQTT_DISCOVERY_PREFIX', '/homeassistant'],
    ['MARQUEE_MQTT_NODE_ID', 'has space'],
    ['MARQUEE_MQTT_COMMANDS', '{not json'],
    ['MARQUEE_MQTT_COMMANDS', '{"signage":{"devices":"*"}}'],
    ['MARQUEE_MQTT_COMMANDS', '{"reboot":{}}'],
    ['MARQUEE_MQTT_MAX_QUEUED', '-1'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => load({ [name]: value })).toThrow(ConfigError);
    expect(() => load({ [name]: value })).toThrow(name);
  });
});
