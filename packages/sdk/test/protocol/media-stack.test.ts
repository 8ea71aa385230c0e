import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  DashboardServerMessage,
  DashboardStats,
  Notification,
  NotificationListResponse,
  NotificationsQuery,
  ServiceDetailResponse,
  ServiceInfo,
  ServiceStatusResponse,
  StatsResponse,
  mediaStackErrorShape,
  mediaStackSurface,
  notificationCategoryTypes,
  renderMediaStackError,
  type DashboardServerMessage as DashboardServerMessageType,
  type HealthStatus,
  type NotificationPriority,
  type NotificationType,
  type ServiceEntry,
  type ServiceState,
  type SuccessEnvelope,
} from '../../src/protocol/media-stack';
import { extractSeedExamples, readSeed } from '../helpers/seed-examples';
import { expectIssueAt, testSeedExamples } from '../helpers/schema-assertions';

const examples = extractSeedExamples(readSeed('media-stack'));

describe('seed 001 examples', () => {
  // Each JSON example of the document, in document order, with the schema it documents.
  const schemas: Array<[string, z.core.$ZodType]> = [
    ['dashboard stats response', StatsResponse],
    ['service status response', ServiceStatusResponse],
    ['service detail response', ServiceDetailResponse],
    ['notifications response', NotificationListResponse],
  ];

  testSeedExamples(examples, schemas);

  it('reads grouped download clients as a group of ServiceInfo', () => {
    const status = ServiceStatusResponse.parse(examples[1]?.value);
    const group = status.data.services['downloadClients'];
    expect(group && !('status' in group) ? group['qbittorrent']?.status : undefined).toBe('up');
  });
});

type StatsEnvelope = z.input<typeof StatsResponse>;
type StatusEnvelope = z.input<typeof ServiceStatusResponse>;
type NotificationsEnvelope = z.input<typeof NotificationListResponse>;

describe('invalid variants', () => {
  const stats = examples[0]?.value as StatsEnvelope;
  const status = examples[1]?.value as StatusEnvelope;
  const detail = examples[2]?.value as z.input<typeof ServiceDetailResponse>;
  const list = examples[3]?.value as NotificationsEnvelope;
  const notification = list.data.notifications[0]!;
  const data = stats.data;

  it('rejects a missing required field at its path', () => {
    const { requestId: _id, ...metadata } = stats.metadata;
    expectIssueAt(StatsResponse, { ...stats, metadata }, ['metadata', 'requestId']);
    const { overview: _o, ...noOverview } = data;
    expectIssueAt(DashboardStats, noOverview, ['overview']);
    const { priority: _p, ...noPriority } = notification;
    expectIssueAt(Notification, noPriority, ['priority']);
    const { service: _s, ...noService } = detail.data;
    expectIssueAt(ServiceDetailResponse, { ...detail, data: noService }, ['data', 'service']);
  });

  it('rejects a success flag other than true', () => {
    expectIssueAt(StatsResponse, { ...stats, success: false }, ['success']);
  });

  it('rejects negative counts', () => {
    expectIssueAt(
      DashboardStats,
      { ...data, overview: { ...data.overview, pendingRequests: -1 } },
      ['overview', 'pendingRequests'],
    );
    expectIssueAt(
      NotificationListResponse,
      { ...list, data: { ...list.data, summary: { ...list.data.summary, unread: -3 } } },
      ['data', 'summary', 'unread'],
    );
    expectIssueAt(
      NotificationListResponse,
      {
        ...list,
        data: { ...list.data, summary: { ...list.data.summary, byPriority: { high: -1 } } },
      },
      ['data', 'summary', 'byPriority', 'high'],
    );
  });

  it('rejects wrong enum values', () => {
    expectIssueAt(Notification, { ...notification, priority: 'urgent' }, ['priority']);
    expectIssueAt(Notification, { ...notification, type: 'coffee_ready' }, ['type']);
    expectIssueAt(
      Notification,
      { ...notification, actions: [{ type: 'snooze', label: 'Later' }] },
      ['actions', 0, 'type'],
    );
    const libraries = [{ ...data.mediaLibrary.libraries[0]!, type: 'show' }];
    expectIssueAt(DashboardStats, { ...data, mediaLibrary: { ...data.mediaLibrary, libraries } }, [
      'mediaLibrary',
      'libraries',
      0,
      'type',
    ]);
    expectIssueAt(
      ServiceStatusResponse,
      {
        ...status,
        data: {
          ...status.data,
          systemHealth: {
            ...status.data.systemHealth,
            disk: { ...status.data.systemHealth.disk, status: 'degraded' },
          },
        },
      },
      ['data', 'systemHealth', 'disk', 'status'],
    );
  });

  it('rejects an unknown service state (at the service entry, which may also be a group)', () => {
    const plex = status.data.services['plex'] as z.input<typeof ServiceInfo>;
    expectIssueAt(ServiceInfo, { ...plex, status: 'sideways' }, ['status']);
    expectIssueAt(
      ServiceStatusResponse,
      {
        ...status,
        data: { ...status.data, services: { plex: { ...plex, status: 'sideways' } } },
      },
      ['data', 'services', 'plex'],
    );
  });

  it('rejects wrong types and out-of-range values', () => {
    const cpu = data.systemResources.cpu;
    const withCpu = (c: unknown) => ({
      ...data,
      systemResources: { ...data.systemResources, cpu: c },
    });
    expectIssueAt(DashboardStats, withCpu({ ...cpu, usage: '15.6' }), [
      'systemResources',
      'cpu',
      'usage',
    ]);
    expectIssueAt(DashboardStats, withCpu({ ...cpu, usage: 101 }), [
      'systemResources',
      'cpu',
      'usage',
    ]);
    expectIssueAt(DashboardStats, withCpu({ ...cpu, load: [1.2, 1.8] }), [
      'systemResources',
      'cpu',
      'load',
    ]);
    expectIssueAt(DashboardStats, withCpu({ ...cpu, temperature: 'hot' }), [
      'systemResources',
      'cpu',
      'temperature',
    ]);
    expectIssueAt(Notification, { ...notification, read: 'no' }, ['read']);
    expectIssueAt(Notification, { ...notification, createdAt: 'yesterday' }, ['createdAt']);
  });

  it('accepts a null CPU temperature (no sensor)', () => {
    const cpu = { ...data.systemResources.cpu, temperature: null };
    expect(
      DashboardStats.safeParse({ ...data, systemResources: { ...data.systemResources, cpu } })
        .success,
    ).toBe(true);
  });
});

describe('notifications query', () => {
  it('coerces query strings and applies the default limit', () => {
    expect(NotificationsQuery.parse({})).toEqual({ limit: 50 });
    expect(NotificationsQuery.parse({ unread: 'true', limit: '20', type: 'system' })).toEqual({
      unread: true,
      limit: 20,
      type: 'system',
    });
    expect(NotificationsQuery.parse({ unread: 'false' }).unread).toBe(false);
    expect(NotificationsQuery.parse({ unread: true, limit: 5 })).toEqual({
      unread: true,
      limit: 5,
    });
  });

  it('rejects bad filters and limits', () => {
    expectIssueAt(NotificationsQuery, { type: 'foo' }, ['type']);
    expectIssueAt(NotificationsQuery, { type: 'system_alert' }, ['type']);
    expectIssueAt(NotificationsQuery, { unread: 'yes' }, ['unread']);
    expectIssueAt(NotificationsQuery, { limit: '0' }, ['limit']);
    expectIssueAt(NotificationsQuery, { limit: '501' }, ['limit']);
    expectIssueAt(NotificationsQuery, { limit: '2.5' }, ['limit']);
    expectIssueAt(NotificationsQuery, { limit: 'ten' }, ['limit']);
  });

  it('maps every notification type to exactly one filter category', () => {
    const mapped: string[] = Object.values(notificationCategoryTypes).flat();
    expect([...mapped].sort()).toEqual([...NotificationTypeValues].sort());
  });
});

const NotificationTypeValues = Notification.shape.type.options;

describe('WebSocket messages', () => {
  const stats = examples[0]?.value as StatsEnvelope;
  const list = examples[3]?.value as NotificationsEnvelope;

  it('parses each documented message type', () => {
    expect(DashboardServerMessage.parse({ type: 'stats_update', data: stats.data }).type).toBe(
      'stats_update',
    );
    expect(
      DashboardServerMessage.parse({
        type: 'service_status_change',
        service: 'plex',
        status: 'down',
      }),
    ).toEqual({ type: 'service_status_change', service: 'plex', status: 'down' });
    const notification = list.data.notifications[1];
    expect(DashboardServerMessage.parse({ type: 'new_notification', notification })).toEqual({
      type: 'new_notification',
      notification,
    });
  });

  it('rejects unknown types and bad payloads at their path', () => {
    expectIssueAt(DashboardServerMessage, { type: 'stats_delta', data: {} }, ['type']);
    expectIssueAt(
      DashboardServerMessage,
      { type: 'service_status_change', service: 'plex', status: 'on fire' },
      ['status'],
    );
    expectIssueAt(DashboardServerMessage, { type: 'new_notification' }, ['notification']);
  });
});

describe('error shape', () => {
  it('renders the failure envelope and reads it back', () => {
    const body = mediaStackErrorShape.render({
      status: 404,
      code: 'INVALID_SERVICE',
      message: "Unknown service 'foo'",
    });
    expect(body).toMatchObject({
      success: false,
      error: { code: 'INVALID_SERVICE', message: "Unknown service 'foo'" },
    });
    expect(z.safeParse(mediaStackErrorShape.schema, body).success).toBe(true);
    expect(mediaStackErrorShape.read(body)).toEqual({
      code: 'INVALID_SERVICE',
      message: "Unknown service 'foo'",
    });
  });

  it('carries the caller’s request id and details', () => {
    const body = renderMediaStackError(
      { status: 503, code: 'STATS_UNAVAILABLE', message: 'Try later', details: { retryIn: 30 } },
      { requestId: 'req-1', timestamp: '2024-01-01T12:30:00.000Z' },
    );
    expect(body).toEqual({
      success: false,
      error: { code: 'STATS_UNAVAILABLE', message: 'Try later', details: { retryIn: 30 } },
      metadata: { timestamp: '2024-01-01T12:30:00.000Z', requestId: 'req-1' },
    });
    expect(mediaStackErrorShape.read(body)).toEqual({
      code: 'STATS_UNAVAILABLE',
      message: 'Try later',
      details: { retryIn: 30 },
    });
  });

  it('does not read other shapes', () => {
    expect(mediaStackErrorShape.read({ detail: 'Not found' })).toBeUndefined();
    expect(mediaStackErrorShape.read(examples[0]?.value)).toBeUndefined();
  });
});

describe('surface table', () => {
  it('lets display tokens read, operators acknowledge, and documents each route’s errors', () => {
    expect(mediaStackSurface.routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/dashboard/stats',
      'GET /api/v1/dashboard/status',
      'GET /api/v1/dashboard/status/{service}',
      'GET /api/v1/dashboard/notifications',
      'POST /api/v1/dashboard/notifications/{id}/acknowledge',
    ]);
    for (const route of mediaStackSurface.routes) {
      expect(route.auth).toBe(route.method === 'GET' ? 'display' : 'operator');
      // Served since the media-stack surface module mounts them.
      expect('planned' in route).toBe(false);
      expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
    }
    expect(mediaStackSurface.routes[2].responses[404]).toBeDefined();
    expect(mediaStackSurface.routes[0].responses[503]).toBeDefined();
    expect(mediaStackSurface.channels.map((c) => c.path)).toEqual(['/ws/dashboard']);
    expect('planned' in mediaStackSurface.channels[0]).toBe(false);
  });

  it('renders a FORBIDDEN refusal with the seed’s code, INSUFFICIENT_PERMISSIONS', () => {
    const body = renderMediaStackError({ status: 403, code: 'FORBIDDEN', message: 'no' });
    expect(body.error.code).toBe('INSUFFICIENT_PERMISSIONS');
  });

  it('converts every response and message schema to JSON Schema', () => {
    for (const route of mediaStackSurface.routes)
      for (const r of Object.values(route.responses))
        if (r.schema) expect(() => z.toJSONSchema(r.schema!)).not.toThrow();
    expect(() => z.toJSONSchema(DashboardServerMessage)).not.toThrow();
  });
});

describe('inferred types', () => {
  it('exposes the documented fields', () => {
    expectTypeOf<NotificationPriority>().toEqualTypeOf<'low' | 'normal' | 'high' | 'critical'>();
    // The seed's seven and Marquee's `request_approved`.
    expectTypeOf<NotificationType>().toEqualTypeOf<
      | 'system_alert'
      | 'request_approved'
      | 'request_completed'
      | 'request_failed'
      | 'download_completed'
      | 'download_failed'
      | 'service_down'
      | 'service_restored'
    >();
    expectTypeOf<ServiceState>().toEqualTypeOf<'up' | 'down' | 'degraded'>();
    expectTypeOf<HealthStatus>().toEqualTypeOf<'healthy' | 'warning' | 'critical'>();
    expectTypeOf<z.infer<typeof StatsResponse>>().toEqualTypeOf<SuccessEnvelope<DashboardStats>>();
    expectTypeOf<DashboardStats['systemResources']['cpu']['load']>().toEqualTypeOf<
      [number, number, number]
    >();
    expectTypeOf<DashboardStats['systemResources']['cpu']['temperature']>().toEqualTypeOf<
      number | null
    >();
    expectTypeOf<Notification['readAt']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<
      z.infer<typeof ServiceStatusResponse>['data']['services'][string]
    >().toEqualTypeOf<ServiceEntry>();
    expectTypeOf<z.infer<typeof NotificationsQuery>>().toEqualTypeOf<{
      unread?: boolean | undefined;
      limit: number;
      type?: 'system' | 'request' | 'download' | 'alert' | undefined;
    }>();
    expectTypeOf<
      Extract<DashboardServerMessageType, { type: 'service_status_change' }>['status']
    >().toEqualTypeOf<ServiceState>();
  });
});
