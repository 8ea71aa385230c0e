/**
 * The media-stack dashboard client (seed 001): REST calls for statistics, service status and
 * notifications under `/api/v1/dashboard`, and the push channel `WS /ws/dashboard` with its
 * messages emitted as typed `stats_update`, `service_status_change` and `new_notification`
 * events. Every answer and frame is validated with the protocol's schemas. Answers come back
 * whole, as the seed's envelope: `data` plus `metadata`, whose `cacheAge` (seconds),
 * `nextUpdate` and `missing` (figures without a source right now) say how old each figure is and
 * which ones are not measurements. Failures arrive as MarqueeErrors read from the seed's
 * `{success: false, error}` body (`INVALID_SERVICE`, `STATS_UNAVAILABLE`, `RATE_LIMITED` ...).
 * Connection-level events (open, close, reconnecting) stay on `client.socket`.
 *
 * Credentials: `token` (a user's access token, or a display token scoped `media-stack` for a
 * read-only panel) is read again for every request and reconnect, and sent as Bearer and as the
 * socket's `?token=`. In a browser page served by Marquee, leave it out: the session cookie is
 * sent with both.
 */
import type { z } from 'zod';
import {
  DashboardServerMessage,
  NotificationListResponse,
  NotificationResponse,
  ServiceDetailResponse,
  ServiceStatusResponse,
  StatsResponse,
  mediaStackErrorShape,
  type DashboardStats,
  type NewNotificationMessage,
  type NotificationCategory,
  type ServiceInfo,
  type ServiceStatus,
  type ServiceStatusChangeMessage,
  type mediaStackChannels,
  type mediaStackRoutes,
} from '../protocol/media-stack/index';
import {
  RestChannelClient,
  type ChannelEvents,
  type RestChannelOptions,
} from './rest-channel-client';

// Typed against the protocol tables, so a renamed path fails to compile here.
type Route<Id> = Extract<(typeof mediaStackRoutes)[number], { id: Id }>['path'];
const PATHS = {
  stats: '/api/v1/dashboard/stats' satisfies Route<'mediaStack.stats'>,
  status: '/api/v1/dashboard/status' satisfies Route<'mediaStack.status'>,
  service: '/api/v1/dashboard/status/{service}' satisfies Route<'mediaStack.serviceStatus'>,
  notifications: '/api/v1/dashboard/notifications' satisfies Route<'mediaStack.notifications'>,
  acknowledge:
    '/api/v1/dashboard/notifications/{id}/acknowledge' satisfies Route<'mediaStack.acknowledgeNotification'>,
} as const;
const CHANNEL_PATH: (typeof mediaStackChannels)[0]['path'] = '/ws/dashboard';

/** The filters of `notifications()` (the route's query; all optional). */
export interface NotificationsFilter {
  /** `true`: unread notifications only. */
  readonly unread?: boolean;
  /** At most this many, newest first (1–500). @default 50 */
  readonly limit?: number;
  readonly type?: NotificationCategory;
}

export type StatsAnswer = z.infer<typeof StatsResponse>;
export type ServiceStatusAnswer = z.infer<typeof ServiceStatusResponse>;
export type ServiceDetailAnswer = z.infer<typeof ServiceDetailResponse>;
export type NotificationListAnswer = z.infer<typeof NotificationListResponse>;
export type NotificationAnswer = z.infer<typeof NotificationResponse>;

export interface MediaStackClientOptions extends RestChannelOptions<DashboardServerMessage> {
  /** The server, e.g. `http://marquee:8080`; the socket uses ws:// or wss:// to match. */
  readonly baseUrl: string;
  /**
   * The fetch implementation for REST calls.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /**
   * Limit for one REST call.
   * @default 30000
   */
  readonly timeoutMs?: number;
}

export interface MediaStackClientEvents extends ChannelEvents {
  /** Once on connect (the current statistics) and whenever they are recomputed. */
  stats_update: [stats: DashboardStats];
  /** A health check found a service in a new state. */
  service_status_change: [change: ServiceStatusChangeMessage];
  /** A new notification (service down or back, download finished, request approved ...). */
  new_notification: [notification: NewNotificationMessage['notification']];
}

export class MediaStackClient extends RestChannelClient<
  MediaStackClientEvents,
  DashboardServerMessage
> {
  #latest: DashboardStats | undefined;

  constructor(options: MediaStackClientOptions) {
    super(options, {
      errorShape: mediaStackErrorShape,
      channelPath: CHANNEL_PATH,
      incoming: DashboardServerMessage,
    });
    this.socket.onMessage('stats_update', (message) => {
      this.#latest = message.data;
      this.emit('stats_update', message.data);
    });
    this.socket.onMessage('service_status_change', (message) =>
      this.emit('service_status_change', message),
    );
    this.socket.onMessage('new_notification', (message) =>
      this.emit('new_notification', message.notification),
    );
  }

  /** The most recent `stats_update`, if one arrived. */
  get latest(): DashboardStats | undefined {
    return this.#latest;
  }

  /** `GET /api/v1/dashboard/stats` (cached 5 minutes: `metadata.cacheAge` says how old). */
  stats(): Promise<StatsAnswer> {
    return this.http.request({ path: PATHS.stats, schema: StatsResponse });
  }

  /** `GET /api/v1/dashboard/status`: every service and the system checks (cached 1 minute). */
  status(): Promise<ServiceStatusAnswer> {
    return this.http.request({ path: PATHS.status, schema: ServiceStatusResponse });
  }

  /** `GET /api/v1/dashboard/status/{service}`; an unknown name rejects with `INVALID_SERVICE`. */
  service(name: string): Promise<ServiceDetailAnswer> {
    return this.http.request({
      path: PATHS.service.replace('{service}', encodeURIComponent(name)),
      schema: ServiceDetailResponse,
    });
  }

  /** `GET /api/v1/dashboard/notifications`: newest first, with a summary (never cached). */
  notifications(filter: NotificationsFilter = {}): Promise<NotificationListAnswer> {
    return this.http.request({
      path: PATHS.notifications,
      query: { unread: filter.unread, limit: filter.limit, type: filter.type },
      schema: NotificationListResponse,
    });
  }

  /** `POST /api/v1/dashboard/notifications/{id}/acknowledge` (operators); idempotent. */
  acknowledge(id: string): Promise<NotificationAnswer> {
    return this.http.request({
      method: 'POST',
      path: PATHS.acknowledge.replace('{id}', encodeURIComponent(id)),
      schema: NotificationResponse,
    });
  }
}

/** One service of a status answer, with the group it is listed under (`downloadClients`). */
export interface ListedService {
  /** The name `service()` takes: `plex`, `database`, `qbittorrent` ... */
  readonly name: string;
  /** The key of `services` that groups it, e.g. `downloadClients`; absent for a plain entry. */
  readonly group?: string;
  readonly info: ServiceInfo;
}

/**
 * The services of a status answer as one flat list, in the server's order, each grouped client
 * (`downloadClients.qbittorrent`) under its own name: what a board of services shows.
 */
export function listServices(status: ServiceStatus): ListedService[] {
  const listed: ListedService[] = [];
  for (const [name, entry] of Object.entries(status.services)) {
    // A ServiceInfo has `status`; a group is a record of them.
    if ('status' in entry && typeof entry.status === 'string') {
      listed.push({ name, info: entry as ServiceInfo });
      continue;
    }
    for (const [member, info] of Object.entries(entry as Record<string, ServiceInfo>)) {
      listed.push({ name: member, group: name, info });
    }
  }
  return listed;
}

/** Creates a media-stack client; call `connect()` for the push events (REST works without it). */
export function createMediaStackClient(options: MediaStackClientOptions): MediaStackClient {
  return new MediaStackClient(options);
}
