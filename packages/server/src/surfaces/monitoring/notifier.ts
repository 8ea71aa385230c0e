/**
 * Alert notifications (issue 13 §4): every opened alert is routed by level to the channels of the
 * stored alert settings and sent — a webhook gets a JSON `POST`, ntfy a JSON publish with title,
 * priority and tags, e-mail goes over SMTP (nodemailer). A failed send (network error, timeout,
 * 408, 429 or 5xx; for SMTP a connection failure or a 4xx reply) is retried with exponential
 * backoff up to `attempts` times; other answers (4xx, SMTP 5xx) are final. Pending sends are a
 * bounded queue: beyond `maxQueue` the oldest pending send is dropped (and logged), and at most
 * `CONCURRENCY` are in flight. Log lines name the channel, never its URL, headers or token.
 *
 * An Apprise channel posts to an Apprise API server. When an alert ends, the channels that its
 * level routes to get a `resolved` notification.
 *
 * Secrets in the settings (`headers` values, ntfy `token`, SMTP `password`, Apprise `urls` and
 * `key`, credentials in a URL) are replaced by
 * `[REDACTED]` in every answer (`redactSettings`); posting the placeholder back keeps the stored
 * secret of the channel with the same name (`restoreSecrets`).
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyBaseLogger } from 'fastify';
import { execFile } from 'node:child_process';
import { createTransport } from 'nodemailer';
import { redactUrl } from '../../core/log-redaction';

type AlertSettings = protocol.monitoring.AlertSettings;
type Channel = protocol.monitoring.NotificationChannel;
type HttpChannel = Exclude<Channel, { type: 'email' }>;
type EmailChannel = Extract<Channel, { type: 'email' }>;
type AppriseChannel = Extract<Channel, { type: 'apprise' }>;
/** The seed's `desktop` switch: a notification on the server's own desktop (`notify-send`). */
export interface DesktopTarget {
  readonly type: 'desktop';
  readonly name: 'desktop';
}
/** Where one notification goes: a configured channel, or the desktop. */
export type Target = Channel | DesktopTarget;
const DESKTOP: DesktopTarget = { type: 'desktop', name: 'desktop' };
const DESKTOP_URGENCY: Record<Level, string> = {
  info: 'low',
  warning: 'normal',
  error: 'critical',
};
type Alert = protocol.monitoring.Alert;
type Level = protocol.monitoring.AlertLevel;
/** What a notification says: an alert opened, it ended, or a test. */
export type NotifyEvent = 'alert' | 'resolved' | 'test';

const REDACTED = protocol.monitoring.REDACTED_SECRET;
const LEVEL_RANK: Record<Level, number> = { info: 0, warning: 1, error: 2 };
const NTFY_PRIORITY: Record<Level, number> = { info: 3, warning: 4, error: 5 };
const NTFY_TAG: Record<Level, string> = {
  info: 'information_source',
  warning: 'warning',
  error: 'rotating_light',
};
/** Apprise's notification types (`failure` is its word for an error). */
const APPRISE_TYPE: Record<Level, string> = { info: 'info', warning: 'warning', error: 'failure' };
/** Sends in flight at once. */
export const CONCURRENCY = 4;

export interface NotifierOptions {
  readonly logger: FastifyBaseLogger;
  /** Tries per send, the first included. @default 5 */
  readonly attempts?: number;
  /** Delay before the first retry; doubled for each next one. @default 1000 */
  readonly retryBaseMs?: number;
  /** Longest delay between tries. @default 60000 */
  readonly retryMaxMs?: number;
  /** One try's time limit. @default 10000 */
  readonly timeoutMs?: number;
  /** Pending sends kept; beyond, the oldest is dropped. @default 1000 */
  readonly maxQueue?: number;
  /** The command that shows a desktop notification (libnotify's). @default 'notify-send' */
  readonly notifySend?: string;
}

export interface SendResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly error?: string;
  /** False for an answer a retry would not change (a 4xx other than 408 and 429). */
  readonly retry: boolean;
}

export interface NotifierStats {
  sent: number;
  failed: number;
  dropped: number;
  retries: number;
}

interface Job {
  readonly channel: Target;
  readonly alert: Alert;
  readonly event: NotifyEvent;
  attempt: number;
  timer?: NodeJS.Timeout;
  cancelled: boolean;
}

/** The channels an alert of `level` goes to under `settings`. */
export function route(settings: AlertSettings, level: Level): Channel[] {
  const { minLevel, email, channels = [] } = settings.notifications;
  if (LEVEL_RANK[level] < LEVEL_RANK[minLevel]) return [];
  return channels.filter(
    (c) => (c.type !== 'email' || email) && (c.levels === undefined || c.levels.includes(level)),
  );
}

/** `[test] ` before a test's title. */
function testMark(event: NotifyEvent): string {
  return event === 'test' ? '[test] ' : '';
}

/** The short title of a notification: `Marquee warning: system`, `Marquee resolved: system`. */
function titleOf(alert: Alert, event: NotifyEvent): string {
  return `${testMark(event)}Marquee ${event === 'resolved' ? 'resolved' : alert.level}: ${alert.source}`;
}

/** The text of a notification: the alert's message, and when it ended. */
function messageOf(alert: Alert, event: NotifyEvent): string {
  if (event !== 'resolved') return alert.message;
  const ended = alert.details.endedAt;
  return `Resolved${typeof ended === 'string' ? ` at ${ended}` : ''}: ${alert.message}`;
}

/**
 * Everywhere an alert of `level` goes under `settings`: its channels, and the desktop while the
 * seed's `desktop` switch is on (same `minLevel`).
 */
export function targets(settings: AlertSettings, level: Level): Target[] {
  const channels: Target[] = route(settings, level);
  const { desktop, minLevel } = settings.notifications;
  return desktop && LEVEL_RANK[level] >= LEVEL_RANK[minLevel] ? [...channels, DESKTOP] : channels;
}

/** The e-mail an alert is sent as. */
export function emailFor(alert: Alert, event: NotifyEvent): { subject: string; text: string } {
  const label = event === 'resolved' ? 'resolved' : alert.level;
  const subject = `${testMark(event)}[Marquee] ${label}: ${alert.message}`;
  const text = [
    messageOf(alert, event),
    '',
    `Level: ${alert.level}`,
    `Source: ${alert.source}`,
    `Time: ${alert.timestamp}`,
    `Alert: ${alert.id}`,
    ...(Object.keys(alert.details).length === 0
      ? []
      : ['', `Details: ${JSON.stringify(alert.details)}`]),
  ].join('\n');
  return { subject: subject.slice(0, 200), text };
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  // Some of fetch's messages quote the URL (secrets and all): URLs never leave this function.
  const message = error.message.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>');
  // A cause's code (ECONNREFUSED) says more than "fetch failed".
  return code === undefined ? message : `${message} (${code})`;
}

/**
 * `url` without user info, and the `authorization` header that carries it instead (fetch refuses
 * a URL with credentials).
 */
function splitCredentials(url: string): { url: string; auth: Record<string, string> } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url, auth: {} };
  const basic = Buffer.from(
    `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`,
  ).toString('base64');
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), auth: { authorization: `Basic ${basic}` } };
}

function headersOf(...layers: (Record<string, string> | undefined)[]): Headers {
  const headers = new Headers();
  for (const layer of layers) for (const [k, v] of Object.entries(layer ?? {})) headers.set(k, v);
  return headers;
}

/** The request a channel sends for an alert. */
export function requestFor(
  channel: HttpChannel,
  alert: Alert,
  event: NotifyEvent,
): { url: string; init: RequestInit } {
  if (channel.type === 'apprise') return appriseRequest(channel, alert, event);
  const { url, auth } = splitCredentials(channel.url);
  if (channel.type === 'webhook') {
    return {
      url,
      init: {
        method: 'POST',
        // Set one by one so a given header replaces the URL's credentials whatever its case.
        headers: headersOf(auth, channel.headers, { 'content-type': 'application/json' }),
        body: JSON.stringify({ event, alert }),
      },
    };
  }
  const resolved = event === 'resolved';
  return {
    url,
    init: {
      method: 'POST',
      headers: {
        ...auth,
        'content-type': 'application/json',
        ...(channel.token === undefined ? {} : { authorization: `Bearer ${channel.token}` }),
      },
      body: JSON.stringify({
        topic: channel.topic,
        title: titleOf(alert, event),
        message: messageOf(alert, event),
        priority: resolved ? 3 : NTFY_PRIORITY[alert.level],
        tags: [resolved ? 'white_check_mark' : NTFY_TAG[alert.level], ...(channel.tags ?? [])],
      }),
    },
  };
}

/** Apprise API: `POST /notify/` with the URLs (stateless), or `POST /notify/{key}`. */
function appriseRequest(
  channel: AppriseChannel,
  alert: Alert,
  event: NotifyEvent,
): { url: string; init: RequestInit } {
  const { url, auth } = splitCredentials(channel.url);
  const base = url.endsWith('/') ? url : `${url}/`;
  const target =
    channel.key === undefined
      ? new URL('notify/', base).toString()
      : new URL(`notify/${encodeURIComponent(channel.key)}`, base).toString();
  return {
    url: target,
    init: {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        ...(channel.urls === undefined ? {} : { urls: channel.urls.join(',') }),
        ...(channel.key !== undefined && channel.tag !== undefined ? { tag: channel.tag } : {}),
        title: titleOf(alert, event),
        body: messageOf(alert, event),
        type: event === 'resolved' ? 'success' : APPRISE_TYPE[alert.level],
        format: 'text',
      }),
    },
  };
}

export class Notifier {
  readonly stats: NotifierStats = { sent: 0, failed: 0, dropped: 0, retries: 0 };
  readonly #logger: FastifyBaseLogger;
  readonly #attempts: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #timeoutMs: number;
  readonly #maxQueue: number;
  readonly #notifySend: string;
  /** Every pending send, oldest first (waiting, in flight or between tries). */
  #jobs: Job[] = [];
  #ready: Job[] = [];
  #inFlight = 0;
  #closed = false;
  readonly #controller = new AbortController();

  constructor(options: NotifierOptions) {
    this.#logger = options.logger;
    this.#attempts = options.attempts ?? 5;
    this.#retryBaseMs = options.retryBaseMs ?? 1000;
    this.#retryMaxMs = options.retryMaxMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxQueue = options.maxQueue ?? 1000;
    this.#notifySend = options.notifySend ?? 'notify-send';
  }

  /** Pending sends (bounded by `maxQueue`). */
  get pending(): number {
    return this.#jobs.length;
  }

  /**
   * Queues the alert (or, with `resolved`, the news that it ended) for every channel its level
   * routes to; returns how many.
   */
  notify(alert: Alert, settings: AlertSettings, event: 'alert' | 'resolved' = 'alert'): number {
    if (this.#closed) return 0;
    const channels = targets(settings, alert.level);
    for (const channel of channels) {
      this.#add({ channel, alert, event, attempt: 0, cancelled: false });
    }
    return channels.length;
  }

  /** One try, no retry (the test endpoint). */
  async send(channel: Target, alert: Alert, event: NotifyEvent): Promise<SendResult> {
    if (channel.type === 'email') return this.#sendEmail(channel, alert, event);
    if (channel.type === 'desktop') return this.#sendDesktop(alert, event);
    const { url, init } = requestFor(channel, alert, event);
    try {
      const res = await fetch(url, {
        ...init,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#controller.signal]),
      });
      // The body is not read: drain it so the connection is released.
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300)
        return { ok: true, status: res.status, retry: false };
      const retry = res.status === 408 || res.status === 429 || res.status >= 500;
      return { ok: false, status: res.status, error: `HTTP ${res.status}`, retry };
    } catch (error) {
      return { ok: false, error: errorText(error), retry: true };
    }
  }

  async #sendEmail(channel: EmailChannel, alert: Alert, event: NotifyEvent): Promise<SendResult> {
    const transport = createTransport({
      host: channel.host,
      port: channel.port,
      secure: channel.secure,
      ...(channel.username === undefined
        ? {}
        : { auth: { user: channel.username, pass: channel.password ?? '' } }),
      connectionTimeout: this.#timeoutMs,
      greetingTimeout: this.#timeoutMs,
      socketTimeout: this.#timeoutMs,
    });
    try {
      const { subject, text } = emailFor(alert, event);
      const info = (await transport.sendMail({
        from: channel.from,
        to: [...channel.to],
        subject,
        text,
      })) as { response?: unknown };
      const reply = typeof info.response === 'string' ? info.response : '';
      const code = /^(\d{3})/.exec(reply)?.[1];
      return { ok: true, ...(code === undefined ? {} : { status: Number(code) }), retry: false };
    } catch (error) {
      const code = (error as { responseCode?: unknown }).responseCode;
      if (typeof code === 'number') {
        // An SMTP reply: 4xx is temporary (retry), 5xx permanent.
        return { ok: false, status: code, error: errorText(error), retry: code < 500 };
      }
      return { ok: false, error: errorText(error), retry: true };
    } finally {
      transport.close();
    }
  }

  /**
   * `notify-send --app-name=Marquee --urgency=… title body` without a shell. It needs a desktop
   * session (D-Bus) on the server's host; a failure (not installed: `ENOENT`; no session: its exit
   * status) is final, not retried.
   */
  #sendDesktop(alert: Alert, event: NotifyEvent): Promise<SendResult> {
    const urgency = event === 'resolved' ? 'low' : DESKTOP_URGENCY[alert.level];
    const args = [
      '--app-name=Marquee',
      `--urgency=${urgency}`,
      titleOf(alert, event),
      messageOf(alert, event),
    ];
    return new Promise((resolve) => {
      execFile(
        this.#notifySend,
        args,
        { timeout: this.#timeoutMs, signal: this.#controller.signal },
        (error, _stdout, stderr) => {
          if (error === null) {
            resolve({ ok: true, retry: false });
            return;
          }
          const code = (error as { code?: unknown }).code;
          const detail =
            code === 'ENOENT'
              ? `${this.#notifySend} not found (install libnotify-bin; it needs a desktop session)`
              : `${this.#notifySend} failed${typeof code === 'number' ? ` with status ${code}` : ''}: ${stderr.trim().slice(0, 200)}`;
          resolve({ ok: false, error: detail, retry: false });
        },
      );
    });
  }

  /** Stops: pending sends are dropped, sends in flight aborted. */
  close(): void {
    this.#closed = true;
    for (const job of this.#jobs) this.#cancel(job);
    this.#jobs = [];
    this.#ready = [];
    this.#controller.abort();
  }

  #add(job: Job): void {
    if (this.#jobs.length >= this.#maxQueue) {
      const oldest = this.#jobs.shift();
      if (oldest !== undefined) {
        this.#cancel(oldest);
        this.stats.dropped += 1;
        this.#logger.warn(
          { channel: oldest.channel.name, pending: this.#maxQueue },
          'monitoring: notification queue full; the oldest pending notification was dropped',
        );
      }
    }
    this.#jobs.push(job);
    this.#ready.push(job);
    this.#pump();
  }

  #cancel(job: Job): void {
    job.cancelled = true;
    if (job.timer !== undefined) clearTimeout(job.timer);
    const i = this.#ready.indexOf(job);
    if (i >= 0) this.#ready.splice(i, 1);
  }

  #remove(job: Job): void {
    const i = this.#jobs.indexOf(job);
    if (i >= 0) this.#jobs.splice(i, 1);
  }

  #pump(): void {
    while (!this.#closed && this.#inFlight < CONCURRENCY && this.#ready.length > 0) {
      const job = this.#ready.shift();
      if (job === undefined) break;
      this.#inFlight += 1;
      void this.#run(job);
    }
  }

  async #run(job: Job): Promise<void> {
    job.attempt += 1;
    const result = await this.send(job.channel, job.alert, job.event);
    this.#inFlight -= 1;
    const context = {
      channel: job.channel.name,
      type: job.channel.type,
      alert: job.alert.id,
      event: job.event,
      attempt: job.attempt,
      ...(result.status === undefined ? {} : { status: result.status }),
      ...(result.error === undefined ? {} : { error: result.error }),
    };
    if (job.cancelled) {
      // Dropped or closed while in flight: neither counted as sent nor retried.
    } else if (result.ok) {
      this.#remove(job);
      this.stats.sent += 1;
      this.#logger.info(context, 'monitoring: notification sent');
    } else if (!result.retry || job.attempt >= this.#attempts || this.#closed) {
      this.#remove(job);
      this.stats.failed += 1;
      this.#logger.error(context, 'monitoring: notification failed; giving up');
    } else {
      const delay = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** (job.attempt - 1));
      this.stats.retries += 1;
      this.#logger.warn({ ...context, retryInMs: delay }, 'monitoring: notification failed');
      job.timer = setTimeout(() => {
        job.timer = undefined;
        if (job.cancelled || this.#closed) return;
        this.#ready.push(job);
        this.#pump();
      }, delay);
      job.timer.unref();
    }
    this.#pump();
  }
}

/** `url` with a password in it and the values of secret query parameters redacted. */
function redactChannelUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactUrl(url);
  }
  if (parsed.password === '') return redactUrl(url);
  parsed.password = REDACTED;
  // redactUrl leaves everything before the `?` as it is and redacts secret parameters after it.
  return redactUrl(parsed.toString());
}

function redactChannel(channel: Channel): Channel {
  if (channel.type === 'email') {
    return channel.password === undefined ? channel : { ...channel, password: REDACTED };
  }
  if (channel.type === 'apprise') {
    return {
      ...channel,
      url: redactChannelUrl(channel.url),
      ...(channel.urls === undefined ? {} : { urls: channel.urls.map(() => REDACTED) }),
      ...(channel.key === undefined ? {} : { key: REDACTED }),
    };
  }
  if (channel.type === 'webhook') {
    return {
      ...channel,
      url: redactChannelUrl(channel.url),
      ...(channel.headers === undefined
        ? {}
        : {
            headers: Object.fromEntries(Object.keys(channel.headers).map((k) => [k, REDACTED])),
          }),
    };
  }
  return {
    ...channel,
    url: redactChannelUrl(channel.url),
    ...(channel.token === undefined ? {} : { token: REDACTED }),
  };
}

/** The settings as every answer shows them: secrets replaced by `[REDACTED]`. */
export function redactSettings(settings: AlertSettings): AlertSettings {
  const { channels } = settings.notifications;
  if (channels === undefined) return settings;
  return {
    ...settings,
    notifications: { ...settings.notifications, channels: channels.map(redactChannel) },
  };
}

function hasPlaceholder(channel: Channel): boolean {
  const text = JSON.stringify(channel);
  return text.includes(REDACTED) || text.includes(encodeURIComponent(REDACTED));
}

/**
 * Posted settings with each `[REDACTED]` put back from the stored channel of the same name and
 * type. A placeholder with no stored secret behind it is refused (400): it would be sent as is.
 */
export function restoreSecrets(posted: AlertSettings, stored: AlertSettings): AlertSettings {
  const { channels } = posted.notifications;
  if (channels === undefined) return posted;
  const before = new Map((stored.notifications.channels ?? []).map((c) => [c.name, c]));
  const restored = channels.map((channel, index): Channel => {
    if (!hasPlaceholder(channel)) return channel;
    const old = before.get(channel.name);
    let result: Channel | undefined;
    if (old?.type === 'webhook' && channel.type === 'webhook') {
      const url = channel.url === redactChannelUrl(old.url) ? old.url : channel.url;
      const headers =
        channel.headers === undefined
          ? undefined
          : Object.fromEntries(
              Object.entries(channel.headers).map(([k, v]) => [
                k,
                v === REDACTED ? (old.headers?.[k] ?? v) : v,
              ]),
            );
      result = { ...channel, url, ...(headers === undefined ? {} : { headers }) };
    } else if (old?.type === 'email' && channel.type === 'email') {
      const password = channel.password === REDACTED ? old.password : channel.password;
      result = { ...channel, ...(password === undefined ? {} : { password }) };
    } else if (old?.type === 'apprise' && channel.type === 'apprise') {
      const url = channel.url === redactChannelUrl(old.url) ? old.url : channel.url;
      // A placeholder keeps the stored URL at the same position.
      const urls = channel.urls?.map((u, i) => (u === REDACTED ? (old.urls?.[i] ?? u) : u));
      const key = channel.key === REDACTED ? old.key : channel.key;
      result = {
        ...channel,
        url,
        ...(urls === undefined ? {} : { urls }),
        ...(key === undefined ? {} : { key }),
      };
    } else if (old?.type === 'ntfy' && channel.type === 'ntfy') {
      const url = channel.url === redactChannelUrl(old.url) ? old.url : channel.url;
      const token = channel.token === REDACTED ? old.token : channel.token;
      result = { ...channel, url, ...(token === undefined ? {} : { token }) };
    }
    if (result === undefined || hasPlaceholder(result)) {
      throw new MarqueeError('BAD_REQUEST', 'A [REDACTED] placeholder has no stored secret', {
        status: 400,
        details: [
          {
            path: ['notifications', 'channels', index],
            message: `Channel "${channel.name}" has no stored secret to keep; send the value itself`,
          },
        ],
      });
    }
    return result;
  });
  return { ...posted, notifications: { ...posted.notifications, channels: restored } };
}
