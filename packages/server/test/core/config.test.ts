import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'marquee-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('gives the embedded defaults with an empty environment', () => {
    const config = loadConfig({ env: {}, cwd: dir });
    expect(config).toMatchObject({
      port: 8000,
      host: '0.0.0.0',
      dataDir: './data',
      adminUsername: 'admin',
      maxConnectionsPerIp: 10_000,
      maxWsPayloadBytes: 65_536,
      wsPingIntervalMs: 25_000,
      nowPlayingWsAuth: 'open',
      sessionTtlSeconds: 30,
      sessionExpiryHours: 24,
      sampleIntervalMs: 2000,
    });
    expect(config.adminPassword).toBeUndefined();
  });

  it('reads the documented variables, including seed 004 names', () => {
    const config = loadConfig({
      cwd: dir,
      env: {
        PORT: '9000',
        HOST: '127.0.0.1',
        MARQUEE_DATA_DIR: '/var/lib/marquee',
        DASHBOARD_AUTH_USERNAME: 'root',
        DASHBOARD_AUTH_PASSWORD: 's3cret-pass',
        SESSION_EXPIRY_HOURS: '12',
        MARQUEE_MAX_CONNECTIONS_PER_IP: '0',
        MARQUEE_NOW_PLAYING_WS_AUTH: 'token',
      },
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      dataDir: '/var/lib/marquee',
      adminUsername: 'root',
      adminPassword: 's3cret-pass',
      sessionExpiryHours: 12,
      maxConnectionsPerIp: 0,
      nowPlayingWsAuth: 'token',
    });
  });

  it('layers config file < .env < environment < overrides', () => {
    writeFileSync(
      join(dir, 'marquee.json'),
      JSON.stringify({ port: 7000, host: '10.0.0.1', logLevel: 'debug' }),
    );
    writeFileSync(
      join(dir, '.env'),
      'PORT=7100\nHOST=192.0.2.1 # from .env\nDASHBOARD_AUTH_PASSWORD="quoted pass"\n',
    );
    const config = loadConfig({
      cwd: dir,
      env: { MARQUEE_CONFIG: 'marquee.json', PORT: '7200' },
      overrides: { sessionTtlSeconds: 5 },
    });
    expect(config.logLevel).toBe('debug'); // file only
    expect(config.host).toBe('192.0.2.1'); // .env beats the file
    expect(config.port).toBe(7200); // environment beats .env
    expect(config.adminPassword).toBe('quoted pass');
    expect(config.sessionTtlSeconds).toBe(5);
  });

  it('honours MARQUEE_ENV_FILE', () => {
    writeFileSync(join(dir, 'custom.env'), 'PORT=7300\n');
    expect(loadConfig({ cwd: dir, env: { MARQUEE_ENV_FILE: 'custom.env' } }).port).toBe(7300);
  });

  it('names every bad variable in one clear error', () => {
    const attempt = () =>
      loadConfig({
        cwd: dir,
        env: { PORT: 'eighty', MARQUEE_NOW_PLAYING_WS_AUTH: 'maybe', LOG_LEVEL: 'loud' },
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT: .*\n.*LOG_LEVEL: .*\n.*MARQUEE_NOW_PLAYING_WS_AUTH: /s);
  });

  it('rejects a ping interval over 25 s and a short JWT secret', () => {
    expect(() => loadConfig({ cwd: dir, env: { MARQUEE_WS_PING_INTERVAL_MS: '30000' } })).toThrow(
      /MARQUEE_WS_PING_INTERVAL_MS/,
    );
    expect(() => loadConfig({ cwd: dir, env: { MARQUEE_JWT_SECRET: 'short' } })).toThrow(
      /MARQUEE_JWT_SECRET/,
    );
  });

  it('reads the bounds and metrics settings, with their defaults', () => {
    const defaults = loadConfig({ cwd: dir, env: {} });
    expect(defaults).toMatchObject({
      maxConnectionsPerUser: 50,
      maxSessionsPerUser: 10,
      maxSessions: 1000,
      maxScreenshotsPerDevice: 20,
      maxPendingCommandsPerDevice: 100,
    });
    expect([defaults.metricsToken, defaults.metricsListen]).toEqual([undefined, undefined]);
    const config = loadConfig({
      cwd: dir,
      env: {
        MARQUEE_MAX_CONNECTIONS_PER_USER: '0',
        MARQUEE_MAX_SESSIONS_PER_USER: '2',
        MARQUEE_MAX_SESSIONS: '5',
        MARQUEE_MAX_SCREENSHOTS_PER_DEVICE: '3',
        MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE: '7',
        MARQUEE_METRICS_TOKEN: 'a-long-enough-scrape-token',
        MARQUEE_METRICS_LISTEN: '[::1]:9464',
      },
    });
    expect(config).toMatchObject({
      maxConnectionsPerUser: 0,
      maxSessionsPerUser: 2,
      maxSessions: 5,
      maxScreenshotsPerDevice: 3,
      maxPendingCommandsPerDevice: 7,
      metricsToken: 'a-long-enough-scrape-token',
      metricsListen: { host: '::1', port: 9464 },
    });
    expect(
      loadConfig({ cwd: dir, env: { MARQUEE_METRICS_LISTEN: '127.0.0.1:0' } }).metricsListen,
    ).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('refuses a bound of 0 where one is required, a short metrics token and a bad address', () => {
    for (const name of [
      'MARQUEE_MAX_SESSIONS_PER_USER',
      'MARQUEE_MAX_SCREENSHOTS_PER_DEVICE',
      'MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE',
    ]) {
      expect(() => loadConfig({ cwd: dir, env: { [name]: '0' } })).toThrow(name);
    }
    expect(() => loadConfig({ cwd: dir, env: { MARQUEE_METRICS_TOKEN: 'short' } })).toThrow(
      /MARQUEE_METRICS_TOKEN: use at least 16/,
    );
    for (const bad of ['9464', 'host:', 'host:99999', '::1:9464', 'a b:1']) {
      expect(() => loadConfig({ cwd: dir, env: { MARQUEE_METRICS_LISTEN: bad } })).toThrow(
        /MARQUEE_METRICS_LISTEN: not host:port/,
      );
    }
  });

  it('explains a missing or broken config file', () => {
    expect(() => loadConfig({ cwd: dir, env: { MARQUEE_CONFIG: 'nope.json' } })).toThrow(
      /Cannot read config file/,
    );
    writeFileSync(join(dir, 'bad.json'), '{ port: 1');
    expect(() => loadConfig({ cwd: dir, env: { MARQUEE_CONFIG: 'bad.json' } })).toThrow(
      /not valid JSON/,
    );
    writeFileSync(join(dir, 'array.json'), '[1]');
    expect(() => loadConfig({ cwd: dir, env: { MARQUEE_CONFIG: 'array.json' } })).toThrow(
      /JSON object/,
    );
  });
});
