/**
 * Seed 001's route and channel table. Every route needs a signed-in user. Documented but not
 * expressible in the table (the server applies them):
 * caching: stats 5 min, status 1 min, notifications none; responses carry `Cache-Control`
 * (e.g. `max-age=300, public`), `X-Cache-Status` (`HIT`/`MISS`), `X-Cache-Age` (seconds) and
 * `X-Response-Time` (e.g. `23ms`).
 *
 * The seed's rate limits per user per minute are in the table (`rateLimit`): stats 60, status
 * 120 (one counter for the list and the detail), notifications 300 (listing and acknowledging);
 * beyond them the answer is 429 `RATE_LIMITED` with `Retry-After`.
 */
import * as z from 'zod/mini';
import {
  defineChannel,
  defineRoute,
  defineSurface,
  response,
  type RateLimitDef,
  type ResponseDef,
} from '../tables';
import { successEnvelope } from './envelope';
import { MediaStackError, mediaStackErrorShape } from './errors';
import { DashboardServerMessage } from './messages';
import {
  Notification,
  NotificationIdParams,
  NotificationList,
  NotificationsQuery,
} from './notifications';
import { DashboardStats } from './stats';
import { ServiceDetail, ServiceParams, ServiceStatus } from './status';

export const StatsResponse = successEnvelope(DashboardStats).register(z.globalRegistry, {
  id: 'MediaStackStatsResponse',
});
export const ServiceStatusResponse = successEnvelope(ServiceStatus).register(z.globalRegistry, {
  id: 'MediaStackServiceStatusResponse',
});
export const ServiceDetailResponse = successEnvelope(ServiceDetail).register(z.globalRegistry, {
  id: 'MediaStackServiceDetailResponse',
});
export const NotificationListResponse = successEnvelope(NotificationList).register(
  z.globalRegistry,
  {
    id: 'MediaStackNotificationListResponse',
  },
);
export const NotificationResponse = successEnvelope(Notification).register(z.globalRegistry, {
  id: 'MediaStackNotificationResponse',
});
export type StatsResponse = z.infer<typeof StatsResponse>;
export type ServiceStatusResponse = z.infer<typeof ServiceStatusResponse>;
export type ServiceDetailResponse = z.infer<typeof ServiceDetailResponse>;
export type NotificationListResponse = z.infer<typeof NotificationListResponse>;
export type NotificationResponse = z.infer<typeof NotificationResponse>;

const error = (description: string): ResponseDef => response(description, MediaStackError);

/** Seed 001's "Rate Limiting": requests per minute per user. */
const perUserPerMinute = (max: number, bucket: string): RateLimitDef => ({
  max,
  windowSeconds: 60,
  per: 'user',
  bucket,
});
const statsLimit = perUserPerMinute(60, 'mediaStack.stats');
const statusLimit = perUserPerMinute(120, 'mediaStack.status');
const notificationsLimit = perUserPerMinute(300, 'mediaStack.notifications');

/** Errors every route can answer. */
const commonErrors = {
  401: error('`UNAUTHORIZED`: missing, invalid or expired token'),
  403: error('`INSUFFICIENT_PERMISSIONS`: the user lacks the required permissions'),
  429: error('`RATE_LIMITED`: the per-user rate limit was exceeded'),
  500: error('`INTERNAL`: unexpected server error'),
} as const;

export const mediaStackRoutes = [
  defineRoute({
    id: 'mediaStack.stats',
    method: 'GET',
    path: '/api/v1/dashboard/stats',
    summary: 'System overview, library, resources, requests, downloads and performance',
    auth: 'display',
    rateLimit: statsLimit,
    responses: {
      200: response('Dashboard statistics (cached 5 minutes)', StatsResponse),
      ...commonErrors,
      503: error('`STATS_UNAVAILABLE`: statistics temporarily unavailable'),
    },
  }),
  defineRoute({
    id: 'mediaStack.status',
    method: 'GET',
    path: '/api/v1/dashboard/status',
    summary: 'Status of every integrated service and system health checks',
    auth: 'display',
    rateLimit: statusLimit,
    responses: {
      200: response('Service status (cached 1 minute)', ServiceStatusResponse),
      ...commonErrors,
      503: error('`SERVICE_UNAVAILABLE`: status temporarily unavailable'),
    },
  }),
  defineRoute({
    id: 'mediaStack.serviceStatus',
    method: 'GET',
    path: '/api/v1/dashboard/status/{service}',
    summary: 'Detailed status of one service',
    auth: 'display',
    params: ServiceParams,
    rateLimit: statusLimit,
    responses: {
      200: response('Service detail (cached 1 minute)', ServiceDetailResponse),
      400: error(
        '`BAD_REQUEST`: the service name is not a valid path parameter (over 100 characters)',
      ),
      ...commonErrors,
      404: error('`INVALID_SERVICE`: unknown service name'),
      503: error('`SERVICE_UNAVAILABLE`: status temporarily unavailable'),
    },
  }),
  defineRoute({
    id: 'mediaStack.notifications',
    method: 'GET',
    path: '/api/v1/dashboard/notifications',
    summary: "The user's notifications, newest first, with a summary",
    auth: 'display',
    query: NotificationsQuery,
    rateLimit: notificationsLimit,
    responses: {
      200: response('Notifications (never cached)', NotificationListResponse),
      400: error('`BAD_REQUEST`: invalid query parameter'),
      ...commonErrors,
      503: error('`SERVICE_UNAVAILABLE`: notifications temporarily unavailable'),
    },
  }),
  defineRoute({
    id: 'mediaStack.acknowledgeNotification',
    method: 'POST',
    path: '/api/v1/dashboard/notifications/{id}/acknowledge',
    summary:
      'Mark a notification read (the endpoint of its `acknowledge` action); idempotent, and answers with the updated notification',
    auth: 'operator',
    params: NotificationIdParams,
    bodyKind: 'none',
    rateLimit: notificationsLimit,
    responses: {
      200: response('The notification, now read', NotificationResponse),
      400: error('`BAD_REQUEST`: the id is not a valid path parameter (over 200 characters)'),
      ...commonErrors,
      404: error('`NOT_FOUND`: no such notification for this user'),
    },
    extension: true,
  }),
] as const;

export const mediaStackChannels = [
  defineChannel({
    id: 'mediaStack.ws',
    path: '/ws/dashboard',
    summary:
      'Real-time dashboard updates: statistics, service status changes and new notifications',
    auth: 'display',
    serverMessages: DashboardServerMessage,
  }),
] as const;

export const mediaStackSurface = defineSurface({
  name: 'media-stack',
  title: 'Media Stack Dashboard',
  seed: '001_028e20c19d85e869.txt',
  description:
    'Statistics, service status and notifications for a Plex / Overseerr / download-client stack.',
  errorShape: mediaStackErrorShape,
  routes: mediaStackRoutes,
  channels: mediaStackChannels,
});
