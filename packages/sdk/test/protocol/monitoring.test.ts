import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  AlertList,
  AlertSettings,
  AlertsQuery,
  CurrentMetrics,
  LogList,
  LogsQuery,
  MetricsHistory,
  MetricsHistoryQuery,
  MetricsMessage,
  MonitoringError,
  MonitoringServerMessage,
  ServiceHealthList,
  ServiceList,
  SystemConfig,
  SystemStatus,
  monitoringErrorShape,
  monitoringSurface,
  resolutionMs,
  type Alert,
  type AlertLevel,
  type ComponentStatus,
  type LogLevel,
  type MonitoringServerMessage as MonitoringServerMessageType,
  type SystemMetrics,
} from '../../src/protocol/monitoring';
import { extractSeedExamples, readSeed } from '../helpers/seed-examples';
import { expectIssueAt, testSeedExamples } from '../helpers/schema-assertions';

const examples = extractSeedExamples(readSeed('monitoring'));
const example = <T>(i: number) => examples[i]?.value as T;

describe('seed 003 examples', () => {
  // Each JSON example of the document, in document order, with the schema it documents.
  const schemas: Array<[string, z.ZodType]> = [
    ['GET /status response', SystemStatus],
    ['GET /config response', SystemConfig],
    ['PUT /config body', SystemConfig],
    ['GET /services response', ServiceList],
    ['WebSocket metrics message', MonitoringServerMessage],
    ['GET /metrics/history response', MetricsHistory],
    ['GET /metrics/current response', CurrentMetrics],
    ['GET /alerts response', AlertList],
    ['GET /services/health response', ServiceHealthList],
    ['POST /alerts/settings body', AlertSettings],
    ['GET /logs response', LogList],
    ['error response', MonitoringError],
  ];

  testSeedExamples(examples, schemas);

  it('reads the WebSocket example as a metrics message', () => {
    expect(MetricsMessage.safeParse(examples[4]?.value).success).toBe(true);
  });
});

describe('invalid variants', () => {
  const status = example<z.input<typeof SystemStatus>>(0);
  const config = example<z.input<typeof SystemConfig>>(1);
  const services = example<z.input<typeof ServiceList>>(3);
  const metrics = example<z.input<typeof MetricsMessage>>(4);
  const current = example<z.input<typeof CurrentMetrics>>(6);
  const alerts = example<z.input<typeof AlertList>>(7);
  const health = example<z.input<typeof ServiceHealthList>>(8);
  const settings = example<z.input<typeof AlertSettings>>(9);
  const logs = example<z.input<typeof LogList>>(10);
  const alert = alerts.alerts[0]!;

  it('rejects missing required fields at their path', () => {
    const { uptime: _u, ...noUptime } = status;
    expectIssueAt(SystemStatus, noUptime, ['uptime']);
    const { media_dir: _m, ...noMediaDir } = config;
    expectIssueAt(SystemConfig, noMediaDir, ['media_dir']);
    const { hasMore: _h, ...noHasMore } = alerts;
    expectIssueAt(AlertList, noHasMore, ['hasMore']);
    const { network: _n, ...noNetwork } = metrics.data;
    expectIssueAt(MonitoringServerMessage, { ...metrics, data: noNetwork }, ['data', 'network']);
    const { minLevel: _l, ...noMinLevel } = settings.notifications;
    expectIssueAt(AlertSettings, { ...settings, notifications: noMinLevel }, [
      'notifications',
      'minLevel',
    ]);
  });

  it('accepts /metrics/current without network (as the seed shows it) and with it', () => {
    expect(CurrentMetrics.safeParse(current).success).toBe(true);
    expect(CurrentMetrics.safeParse({ ...current, metrics: { ...metrics.data } }).success).toBe(
      true,
    );
  });

  it('rejects wrong enum values', () => {
    expectIssueAt(AlertList, { ...alerts, alerts: [{ ...alert, level: 'fatal' }] }, [
      'alerts',
      0,
      'level',
    ]);
    expectIssueAt(LogList, { logs: [{ ...logs.logs[0]!, level: 'warning' }] }, [
      'logs',
      0,
      'level',
    ]);
    expectIssueAt(
      MonitoringServerMessage,
      { ...metrics, data: { ...metrics.data, cpu: { ...metrics.data.cpu, status: 'ok' } } },
      ['data', 'cpu', 'status'],
    );
    expectIssueAt(
      ServiceHealthList,
      { services: [{ ...health.services[0]!, health: 'unhealthy' }] },
      ['services', 0, 'health'],
    );
    expectIssueAt(SystemStatus, { ...status, status: 'sleeping' }, ['status']);
  });

  it('rejects out-of-range values and negative quantities', () => {
    expectIssueAt(SystemStatus, { ...status, cpu_usage: 120 }, ['cpu_usage']);
    expectIssueAt(
      MonitoringServerMessage,
      {
        ...metrics,
        data: { ...metrics.data, network: { ...metrics.data.network, latency: -1 } },
      },
      ['data', 'network', 'latency'],
    );
    expectIssueAt(AlertList, { ...alerts, total: -1 }, ['total']);
    expectIssueAt(ServiceList, { services: [{ ...services.services[0]!, port: 70000 }] }, [
      'services',
      0,
      'port',
    ]);
  });

  it('rejects wrong types', () => {
    expectIssueAt(SystemStatus, { ...status, disk_usage: '75.3' }, ['disk_usage']);
    expectIssueAt(AlertList, { ...alerts, hasMore: 'no' }, ['hasMore']);
    expectIssueAt(AlertList, { ...alerts, alerts: [{ ...alert, details: 'text' }] }, [
      'alerts',
      0,
      'details',
    ]);
    expectIssueAt(SystemConfig, { ...config, services: 'plex' }, ['services']);
  });

  it('validates the configuration', () => {
    expectIssueAt(SystemConfig, { ...config, domain: 'not a domain' }, ['domain']);
    expectIssueAt(SystemConfig, { ...config, downloads_dir: 'downloads' }, ['downloads_dir']);
    expectIssueAt(SystemConfig, { ...config, services: ['plex', 'plex'] }, ['services']);
    expectIssueAt(SystemConfig, { ...config, services: ['plex', 'bad name'] }, ['services', 1]);
  });

  it('rejects thresholds above 100 % and warning above critical', () => {
    const thresholds = settings.thresholds;
    expectIssueAt(
      AlertSettings,
      { ...settings, thresholds: { ...thresholds, disk: { warning: 85, critical: 101 } } },
      ['thresholds', 'disk', 'critical'],
    );
    expectIssueAt(
      AlertSettings,
      { ...settings, thresholds: { ...thresholds, cpu: { warning: 95, critical: 90 } } },
      ['thresholds', 'cpu', 'warning'],
    );
    expectIssueAt(
      AlertSettings,
      { ...settings, thresholds: { ...thresholds, memory: { warning: -5, critical: 90 } } },
      ['thresholds', 'memory', 'warning'],
    );
    expect(
      AlertSettings.safeParse({
        ...settings,
        thresholds: { ...thresholds, cpu: { warning: 90, critical: 90 } },
      }).success,
    ).toBe(true);
    expectIssueAt(
      AlertSettings,
      { ...settings, notifications: { ...settings.notifications, minLevel: 'critical' } },
      ['notifications', 'minLevel'],
    );
  });
});

describe('queries', () => {
  it('coerces limits and applies the default of 100', () => {
    expect(AlertsQuery.parse({})).toEqual({ limit: 100 });
    expect(
      AlertsQuery.parse({ level: 'error', limit: '20', since: '2025-02-15T22:00:00Z' }),
    ).toEqual({ level: 'error', limit: 20, since: '2025-02-15T22:00:00Z' });
    expect(LogsQuery.parse({})).toEqual({ limit: 100 });
    expect(LogsQuery.parse({ level: 'warn', limit: '5' })).toEqual({ level: 'warn', limit: 5 });
  });

  it('rejects bad levels, limits and timestamps', () => {
    expectIssueAt(AlertsQuery, { level: 'fatal' }, ['level']);
    expectIssueAt(AlertsQuery, { level: 'critical' }, ['level']);
    expectIssueAt(LogsQuery, { level: 'warning' }, ['level']);
    expectIssueAt(AlertsQuery, { limit: '0' }, ['limit']);
    expectIssueAt(LogsQuery, { limit: '1001' }, ['limit']);
    expectIssueAt(AlertsQuery, { since: 'yesterday' }, ['since']);
  });

  it('parses the metrics history query', () => {
    expect(
      MetricsHistoryQuery.parse({
        start: '2025-02-15T22:00:00Z',
        end: '2025-02-15T23:00:00Z',
        resolution: '1h',
      }),
    ).toEqual({
      start: '2025-02-15T22:00:00Z',
      end: '2025-02-15T23:00:00Z',
      resolution: '1h',
      maxPoints: 1000,
    });
    expect(MetricsHistoryQuery.parse({})).toEqual({ resolution: '5m', maxPoints: 1000 });
    expect(MetricsHistoryQuery.parse({ maxPoints: '50' }).maxPoints).toBe(50);
    expectIssueAt(MetricsHistoryQuery, { maxPoints: '1' }, ['maxPoints']);
    expectIssueAt(MetricsHistoryQuery, { maxPoints: '10001' }, ['maxPoints']);
  });

  it('rejects a bad resolution and an end before the start', () => {
    expectIssueAt(MetricsHistoryQuery, { resolution: 'five minutes' }, ['resolution']);
    expectIssueAt(MetricsHistoryQuery, { resolution: '0m' }, ['resolution']);
    expectIssueAt(MetricsHistoryQuery, { resolution: '5w' }, ['resolution']);
    expectIssueAt(MetricsHistoryQuery, { start: '22:00' }, ['start']);
    expectIssueAt(
      MetricsHistoryQuery,
      { start: '2025-02-15T23:00:00Z', end: '2025-02-15T22:00:00Z' },
      ['end'],
    );
    // Offsets count: 23:30+01:00 is 22:30Z, after a 22:00Z start.
    expect(
      MetricsHistoryQuery.safeParse({
        start: '2025-02-15T22:00:00Z',
        end: '2025-02-15T23:30:00+01:00',
      }).success,
    ).toBe(true);
  });

  it('converts resolutions to milliseconds', () => {
    expect(resolutionMs('5m')).toBe(300_000);
    expect(resolutionMs('1h')).toBe(3_600_000);
    expect(resolutionMs('30s')).toBe(30_000);
    expect(resolutionMs('2d')).toBe(172_800_000);
    expect(resolutionMs('five minutes')).toBeUndefined();
  });
});

describe('WebSocket messages', () => {
  const alert = example<z.input<typeof AlertList>>(7).alerts[0];

  it('parses alert and status messages', () => {
    expect(MonitoringServerMessage.parse({ type: 'alert', data: alert })).toEqual({
      type: 'alert',
      data: alert,
    });
    const status = {
      type: 'status',
      data: {
        name: 'plex',
        status: 'running',
        health: 'healthy',
        previous: 'restarting',
        timestamp: '2025-02-15T22:44:00Z',
      },
    };
    expect(MonitoringServerMessage.parse(status)).toEqual(status);
  });

  it('rejects unknown types and bad payloads at their path', () => {
    expectIssueAt(MonitoringServerMessage, { type: 'heartbeat', data: {} }, ['type']);
    expectIssueAt(MonitoringServerMessage, { type: 'alert', data: { ...alert, level: 'fatal' } }, [
      'data',
      'level',
    ]);
    expectIssueAt(
      MonitoringServerMessage,
      { type: 'status', data: { name: 'plex', status: 'on', timestamp: '2025-02-15T22:44:00Z' } },
      ['data', 'status'],
    );
  });
});

describe('error shape', () => {
  it('renders the documented body and reads it back', () => {
    const fields = {
      status: 404,
      code: 'SERVICE_NOT_FOUND',
      message: "Service 'invalid' not found",
      details: 'Available services: plex, sonarr, radarr',
    };
    const body = monitoringErrorShape.render(fields);
    expect(body).toEqual(examples[11]?.value);
    expect(monitoringErrorShape.read(body)).toEqual({
      code: 'SERVICE_NOT_FOUND',
      message: "Service 'invalid' not found",
      details: 'Available services: plex, sonarr, radarr',
    });
  });

  it('omits absent details and keeps structured ones', () => {
    const bare = monitoringErrorShape.render({ status: 401, code: 'UNAUTHORIZED', message: 'No' });
    expect(bare).toEqual({ error: { code: 'UNAUTHORIZED', message: 'No' } });
    expect(monitoringErrorShape.read(bare)).toEqual({ code: 'UNAUTHORIZED', message: 'No' });
    const issues = [{ path: ['limit'], message: 'Too big' }];
    const body = monitoringErrorShape.render({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'Invalid query',
      details: issues,
    });
    expect(monitoringErrorShape.read(body)?.details).toEqual(issues);
  });

  it('does not read other shapes', () => {
    expect(monitoringErrorShape.read({ detail: 'Not found' })).toBeUndefined();
    expect(monitoringErrorShape.read({ error: 'Not found' })).toBeUndefined();
  });
});

describe('surface table', () => {
  it('lists every documented route plus the settings read: display tokens read, operators change', () => {
    expect(monitoringSurface.routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/status',
      'GET /api/v1/config',
      'PUT /api/v1/config',
      'GET /api/v1/services',
      'GET /api/v1/services/health',
      'POST /api/v1/services/{name}/restart',
      'GET /api/v1/services/{name}/logs',
      'GET /api/v1/metrics/current',
      'GET /api/v1/metrics/history',
      'GET /api/v1/alerts',
      'GET /api/v1/alerts/settings',
      'POST /api/v1/alerts/settings',
      'POST /api/v1/alerts/test',
      'GET /api/v1/logs',
    ]);
    for (const route of monitoringSurface.routes) {
      // Display tokens read every dashboard but a container's raw log (signed-in users only);
      // changing config, restarts and alert settings are an operator's; sending a test
      // notification an admin's.
      expect(route.auth).toBe(
        route.id === 'monitoring.serviceLogs'
          ? 'viewer'
          : route.method === 'GET'
            ? 'display'
            : route.id === 'monitoring.testNotification'
              ? 'admin'
              : 'operator',
      );
      // Every route is served.
      expect('planned' in route && route.planned, route.id).toBe(false);
      expect(Object.keys(route.responses)).toEqual(
        expect.arrayContaining(['200', '401', '403', '500']),
      );
      const takesInput = 'query' in route || 'body' in route;
      expect('400' in route.responses).toBe(takesInput);
    }
    const extensions = monitoringSurface.routes.filter((r) => 'extension' in r && r.extension);
    expect(extensions.map((r) => r.id)).toEqual([
      'monitoring.serviceLogs',
      'monitoring.getAlertSettings',
      'monitoring.testNotification',
    ]);
    expect(monitoringSurface.channels.map((c) => c.path)).toEqual(['/monitoring']);
  });

  it('converts every response and message schema to JSON Schema', () => {
    for (const route of monitoringSurface.routes)
      for (const r of Object.values(route.responses))
        if (r.schema) expect(() => z.toJSONSchema(r.schema!)).not.toThrow();
    expect(() => z.toJSONSchema(MonitoringServerMessage)).not.toThrow();
  });
});

describe('inferred types', () => {
  it('exposes the documented fields', () => {
    expectTypeOf<AlertLevel>().toEqualTypeOf<'info' | 'warning' | 'error'>();
    expectTypeOf<LogLevel>().toEqualTypeOf<'info' | 'warn' | 'error'>();
    expectTypeOf<ComponentStatus>().toEqualTypeOf<'healthy' | 'warning' | 'critical'>();
    expectTypeOf<Alert['details']>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<SystemMetrics['cpu']['temperature']>().toEqualTypeOf<number | null>();
    expectTypeOf<SystemMetrics['network']>().not.toBeAny();
    expectTypeOf<
      Extract<MonitoringServerMessageType, { type: 'metrics' }>['data']['network']['latency']
    >().toEqualTypeOf<number | null>();
    expectTypeOf<
      Extract<MonitoringServerMessageType, { type: 'alert' }>['data']
    >().toEqualTypeOf<Alert>();
    expectTypeOf<z.infer<typeof AlertsQuery>>().toEqualTypeOf<{
      level?: AlertLevel | undefined;
      limit: number;
      since?: string | undefined;
    }>();
    expectTypeOf<z.infer<typeof AlertSettings>['thresholds']['cpu']>().toEqualTypeOf<{
      warning: number;
      critical: number;
      forMinutes?: number | undefined;
    }>();
    expectTypeOf<z.infer<typeof MetricsHistoryQuery>['resolution']>().toEqualTypeOf<string>();
  });
});
