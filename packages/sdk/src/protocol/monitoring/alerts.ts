/**
 * `GET /api/v1/alerts`, the `alert` WebSocket message and the alert settings.
 */
import * as z from 'zod';
import { isoDateTime, nonNegativeInt, percent, queryInt } from '../common';

/**
 * The seed's alert levels. A `critical` threshold crossing raises an `error` alert: the seed
 * lists no `critical` level, and a client filtering on its three levels must see every alert.
 */
export const AlertLevel = z.enum(['info', 'warning', 'error']);
export type AlertLevel = z.infer<typeof AlertLevel>;

export const Alert = z
  .object({
    id: z.string().min(1),
    timestamp: isoDateTime,
    level: AlertLevel,
    message: z.string(),
    /** What raised it: `docker`, `system`, a service name ... */
    source: z.string().min(1),
    /** Source-specific context (`{}` when there is none). */
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'MonitoringAlert' });
export type Alert = z.infer<typeof Alert>;

/** Query of `GET /api/v1/alerts`. */
export const AlertsQuery = z.object({
  /** Only alerts of exactly this level. */
  level: AlertLevel.optional(),
  /**
   * Maximum alerts returned, newest first.
   * @default 100
   */
  limit: queryInt(1, 1000).default(100),
  /** Only alerts raised at or after this time. */
  since: isoDateTime.optional(),
});
export type AlertsQuery = z.infer<typeof AlertsQuery>;

/** `GET /api/v1/alerts`: `total` counts every match; `hasMore` says `limit` cut it short. */
export const AlertList = z
  .object({ alerts: z.array(Alert), total: nonNegativeInt, hasMore: z.boolean() })
  .meta({ id: 'MonitoringAlertList' });
export type AlertList = z.infer<typeof AlertList>;

/**
 * Usage percentages that raise a `warning` and an `error` alert; `warning` <= `critical`.
 * `forMinutes` (Marquee's addition, the "for 2 minutes") is how long the value must stay
 * at or above a line before the alert opens; 0 or absent opens on the first sample.
 */
export const Threshold = z
  .object({
    warning: percent,
    critical: percent,
    forMinutes: z.number().min(0).max(1440).optional(),
  })
  .refine((t) => t.warning <= t.critical, {
    path: ['warning'],
    message: 'warning must not exceed critical',
  })
  .meta({ id: 'MonitoringThreshold' });
export type Threshold = z.infer<typeof Threshold>;

/** Placeholder that stands for a stored secret in answers; posted back, it keeps the secret. */
export const REDACTED_SECRET = '[REDACTED]';

const channelName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9 _.-]{0,63}$/, 'Expected a channel name like "ops-webhook"');
/**
 * Levels a channel receives. Absent: every level at or above `notifications.minLevel`; present:
 * only these (still none below `minLevel`).
 */
const levels = z.array(AlertLevel).min(1).max(3).optional();
const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);

/** A JSON `POST` of `{ event, alert }` to `url`; `headers` (secrets, e.g. a bearer token) are sent as given. */
export const WebhookChannel = z
  .object({
    type: z.literal('webhook'),
    name: channelName,
    url: httpUrl,
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/), z.string().max(1024))
      .refine((h) => Object.keys(h).length <= 10, 'At most 10 headers')
      .optional(),
    levels,
  })
  .meta({ id: 'MonitoringWebhookChannel' });
export type WebhookChannel = z.infer<typeof WebhookChannel>;

/**
 * An ntfy publish (JSON to the server's root URL) on `topic`, with a title, a priority (`info` 3,
 * `warning` 4, `error` 5) and tags; `token` (a secret) is sent as a bearer token.
 */
export const NtfyChannel = z
  .object({
    type: z.literal('ntfy'),
    name: channelName,
    /** The ntfy server, e.g. `https://ntfy.sh`. */
    url: httpUrl,
    topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/, 'Expected an ntfy topic'),
    token: z.string().min(1).max(1024).optional(),
    /** Extra tags besides the level's (`warning`, `rotating_light`). */
    tags: z
      .array(z.string().regex(/^[-_a-z0-9+]{1,32}$/))
      .max(5)
      .optional(),
    levels,
  })
  .meta({ id: 'MonitoringNtfyChannel' });
export type NtfyChannel = z.infer<typeof NtfyChannel>;

/**
 * An e-mail over SMTP to `to`. Sent only while the seed's `notifications.email` is true.
 * `secure`: TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers
 * it. `password` is a secret.
 */
export const EmailChannel = z
  .object({
    type: z.literal('email'),
    name: channelName,
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535),
    secure: z.boolean(),
    username: z.string().min(1).max(256).optional(),
    password: z.string().min(1).max(1024).optional(),
    from: z.email(),
    to: z.array(z.email()).min(1).max(10),
    levels,
  })
  .meta({ id: 'MonitoringEmailChannel' });
export type EmailChannel = z.infer<typeof EmailChannel>;

/**
 * An Apprise API server (caronc/apprise-api): a JSON `POST` to `{url}/notify/` with `urls` (the
 * Apprise notification URLs, stateless) or to `{url}/notify/{key}` (a configuration stored on that
 * server, optionally narrowed by `tag`), with `title`, `body` and `type` (`info`, `warning`,
 * `failure`; `success` when an alert ends). `urls` (they hold the services' credentials) and `key`
 * are secrets.
 */
export const AppriseChannel = z
  .object({
    type: z.literal('apprise'),
    name: channelName,
    /** The Apprise API server, e.g. `http://apprise:8000`. */
    url: httpUrl,
    /** Apprise URLs (`tgram://…`, `discord://…`, `mailto://…`); or `key`. */
    urls: z.array(z.string().min(3).max(2048)).min(1).max(20).optional(),
    /** The key of a configuration stored on the Apprise server; or `urls`. */
    key: z
      .string()
      .regex(/^[\w-]{1,128}$/, 'Expected an Apprise configuration key')
      .or(z.literal(REDACTED_SECRET))
      .optional(),
    /** With `key`: only that configuration's URLs with this tag. */
    tag: z.string().min(1).max(128).optional(),
    levels,
  })
  .refine((c) => (c.urls === undefined) !== (c.key === undefined), {
    path: ['urls'],
    message: 'Give either urls or key',
  })
  .meta({ id: 'MonitoringAppriseChannel' });
export type AppriseChannel = z.infer<typeof AppriseChannel>;

/** Where notifications go; each is named once. */
export const NotificationChannel = z
  .discriminatedUnion('type', [WebhookChannel, NtfyChannel, EmailChannel, AppriseChannel])
  .meta({ id: 'MonitoringNotificationChannel' });
export type NotificationChannel = z.infer<typeof NotificationChannel>;

/**
 * The body of `POST /api/v1/alerts/settings`, the response to it (the settings as saved) and the
 * response of `GET /api/v1/alerts/settings` (Marquee's addition).
 */
export const AlertSettings = z
  .object({
    thresholds: z.object({ cpu: Threshold, memory: Threshold, disk: Threshold }),
    notifications: z.object({
      email: z.boolean(),
      desktop: z.boolean(),
      /** Alerts below this level notify no one (they are still listed). */
      minLevel: AlertLevel,
      /**
       * Marquee's addition: the channels an alert is sent to (retried with backoff). Secrets
       * (`headers` values, `token`, `password`, credentials in a URL) read back as `[REDACTED]`; posting
       * `[REDACTED]` back keeps the stored secret of the channel with the same name.
       */
      channels: z
        .array(NotificationChannel)
        .max(20)
        .refine(
          (all) => new Set(all.map((c) => c.name)).size === all.length,
          'Channel names must be unique',
        )
        .optional(),
    }),
  })
  .meta({ id: 'MonitoringAlertSettings' });
export type AlertSettings = z.infer<typeof AlertSettings>;

/** Body of `POST /api/v1/alerts/test`: the level of the test alert (routing follows it). */
export const TestNotificationRequest = z
  .object({ level: AlertLevel.default('warning') })
  .meta({ id: 'MonitoringTestNotificationRequest' });
export type TestNotificationRequest = z.infer<typeof TestNotificationRequest>;

/** One channel's outcome of a test notification (a single attempt, no retry). */
export const TestNotificationResult = z
  .object({
    name: z.string(),
    /** `desktop`: the seed's switch (`notify-send` on the server's host). */
    type: z.enum(['webhook', 'ntfy', 'email', 'apprise', 'desktop']),
    ok: z.boolean(),
    /** The receiver's HTTP status (SMTP reply code for e-mail), when it answered. */
    status: z.number().int().optional(),
    error: z.string().optional(),
  })
  .meta({ id: 'MonitoringTestNotificationResult' });

/** `POST /api/v1/alerts/test`: every channel the level routes to, tried once. */
export const TestNotificationResponse = z
  .object({ results: z.array(TestNotificationResult) })
  .meta({ id: 'MonitoringTestNotificationResponse' });
export type TestNotificationResponse = z.infer<typeof TestNotificationResponse>;
