/**
 * The server's typed configuration. Sources, lowest precedence first: built-in defaults, an
 * optional JSON config file (`MARQUEE_CONFIG`), an optional `.env` file in the working directory
 * (or `MARQUEE_ENV_FILE`), then the process environment. Every value is validated once here; the
 * rest of the server reads `Config`, never `process.env`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { protocol } from '@marquee/sdk';
import { z } from 'zod';
import { MQTT_ENV_NAMES, mqttSettings } from '../integrations/mqtt/settings';
import { RouteRateLimitsSetting } from './rate-limit/settings';

const envBoolean = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

/**
 * `OLLAMA_HOST` as Ollama's own client reads it (envconfig.Host): without a scheme, http and port
 * 11434 are assumed (`ollama-box`, `0.0.0.0:11434`); with one, the scheme's default port. A
 * trailing slash is dropped so API paths can be appended.
 */
function ollamaUrl(value: string): string | undefined {
  const trimmed = value.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  if (!URL.canParse(hasScheme ? trimmed : `http://${trimmed}`)) return undefined;
  const url = new URL(hasScheme ? trimmed : `http://${trimmed}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!hasScheme && url.port === '') url.port = '11434';
  return url.toString().replace(/\/+$/, '');
}

/** `host:port` or `[v6]:port` as a listen address; undefined when it is not one. */
function listenAddress(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(value.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) return undefined;
  return { host, port };
}

/** A media-stack upstream's base URL (http or https), without a trailing slash. */
const upstreamUrl = z
  .string()
  .trim()
  .min(1)
  .transform((value, ctx) => {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      ctx.addIssue({ code: 'custom', message: `not an http(s) URL: ${value}` });
      return z.NEVER;
    }
    return url.toString().replace(/\/+$/, '');
  });
/** Seconds between two polls of an upstream (seed 001: health checks every 30 s). */
const upstreamInterval = z.coerce.number().min(1).max(3600).default(30);

/** Each media-stack upstream: its URL key and the credential keys it needs with it. */
export const UPSTREAM_CREDENTIALS = {
  plexUrl: ['plexToken'],
  jellyfinUrl: ['jellyfinApiKey'],
  tautulliUrl: ['tautulliApiKey'],
  overseerrUrl: ['overseerrApiKey'],
  sonarrUrl: ['sonarrApiKey'],
  radarrUrl: ['radarrApiKey'],
  prowlarrUrl: ['prowlarrApiKey'],
  qbittorrentUrl: ['qbittorrentUsername', 'qbittorrentPassword'],
} as const;

export const ConfigSchema = z
  .object({
    /** TCP port. @default 8000 */
    port: z.coerce.number().int().min(0).max(65535).default(8000),
    /** Interface to bind. @default '0.0.0.0' */
    host: z.string().min(1).default('0.0.0.0'),
    /** Where the SQLite file, media, screenshots and caches live. @default './data' */
    dataDir: z.string().min(1).default('./data'),
    /**
     * A PostgreSQL connection URL (`postgres://user:password@host:5432/db`): the store then lives
     * in that database instead of `<dataDir>/marquee.db` (files stay in `dataDir`). @default undefined
     */
    databaseUrl: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .refine((value) => URL.canParse(value), 'not a valid URL')
      .optional(),
    /**
     * A Redis URL (`redis://host:6379`, `rediss://` for TLS): turns on the bus between instances
     * that share one `MARQUEE_DATABASE_URL` (docs/deploy.md, "Several instances"). @default undefined
     */
    redisUrl: z
      .string()
      .trim()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .refine((value) => URL.canParse(value), 'not a valid URL')
      .optional(),
    /** Prefix of every key the bus uses; one per cluster. @default 'marquee:' */
    redisPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_:.-]{1,100}$/, 'letters, digits, _ : . and - (at most 100)')
      .default('marquee:'),
    /** Bus writes kept while Redis is away; past it the oldest are dropped. @default 10000 */
    redisMaxQueued: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    /** Connections the PostgreSQL store's pool opens at most. @default 10 */
    databasePoolMax: z.coerce.number().int().min(1).max(1000).default(10),
    /** pino level. @default 'info' */
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /** First admin's user name (seed 004's variable). @default 'admin' */
    adminUsername: z.string().min(1).default('admin'),
    /** First admin's password; when unset on first start a random one is generated and printed once. */
    adminPassword: z.string().min(1).optional(),
    /** HS256 secret for JWTs; when unset, a random one is generated once and kept in the store. */
    jwtSecret: z.string().min(32).optional(),
    /** Access token lifetime (seed 002's `expires_in`). @default 3600 */
    accessTokenTtlSeconds: z.coerce.number().int().min(30).default(3600),
    /** Refresh token lifetime. @default 604800 (7 days) */
    refreshTokenTtlSeconds: z.coerce
      .number()
      .int()
      .min(60)
      .default(7 * 24 * 3600),
    /** Browser session cookie lifetime (seed 004's SESSION_EXPIRY_HOURS). @default 24 h */
    sessionExpiryHours: z.coerce.number().min(0.01).default(24),
    /** Trust X-Forwarded-For from these proxies (`true`, a hop count, or addresses). @default false */
    trustProxy: z.union([envBoolean, z.coerce.number().int().min(1), z.string()]).default(false),
    /** Concurrent WebSocket connections per client IP; 0 turns the limit off. @default 10000 */
    maxConnectionsPerIp: z.coerce.number().int().min(0).default(10_000),
    /**
     * Concurrent WebSocket connections per signed-in user or display token (a signage device's
     * own socket is one per device and not counted here); 0 turns the limit off. @default 50
     */
    maxConnectionsPerUser: z.coerce.number().int().min(0).default(50),
    /** Largest inbound WebSocket message in bytes. @default 65536 */
    maxWsPayloadBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .default(64 * 1024),
    /** Largest JSON request body in bytes. @default 1048576 */
    maxBodyBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    /** Server ping interval for every socket; dead peers are terminated after one missed pong. @default 25000 */
    wsPingIntervalMs: z.coerce.number().int().min(100).max(25_000).default(25_000),
    /** Messages queued for one slow socket before it is disconnected. @default 256 */
    wsMaxQueuedMessages: z.coerce.number().int().min(1).default(256),
    /** Who may open the Now Playing socket: `open` on the LAN (seed 000) or `token`. @default 'open' */
    nowPlayingWsAuth: z.enum(['open', 'token']).default('open'),
    /** A session with no update for this long disappears. @default 30 */
    sessionTtlSeconds: z.coerce.number().min(1).default(30),
    /** Live Now Playing sessions one user may hold; a new one beyond gets 429. @default 10 */
    maxSessionsPerUser: z.coerce.number().int().min(1).default(10),
    /** Live Now Playing sessions of all users together; a new one beyond gets 429. @default 1000 */
    maxSessions: z.coerce.number().int().min(1).default(1000),
    /** System sampler and snapshot broadcast interval. @default 2000 */
    sampleIntervalMs: z.coerce.number().int().min(100).default(2000),
    /**
     * Keep the system sampler running always, recording the monitoring history and evaluating
     * alert thresholds (seed 003); off, it runs only while a screen or socket listens and the
     * history has gaps. @default true
     */
    monitoringRecord: envBoolean.default(true),
    /** How long the monitoring history keeps per-second samples, in hours. @default 24 */
    monitoringSecondTierHours: z.coerce
      .number()
      .min(1)
      .max(24 * 30)
      .default(24),
    /** How long it keeps per-minute roll-ups, in days. @default 90 */
    monitoringMinuteTierDays: z.coerce.number().min(1).max(3660).default(90),
    /** How long it keeps per-hour roll-ups, in days. @default 730 */
    monitoringHourTierDays: z.coerce.number().min(1).max(36_600).default(730),
    /**
     * The Docker Engine's Unix socket (`/var/run/docker.sock`): monitoring's services are then its
     * containers (state, health, restarts, CPU and memory). `DOCKER_HOST=unix://…` is read when
     * this is unset; a `tcp://` host is not supported. @default undefined (no Docker)
     */
    dockerSocket: z.string().min(1).optional(),
    /**
     * Services (comma-separated names) that `POST /api/v1/services/{name}/restart` may restart;
     * any other is refused 403. @default [] (none)
     */
    monitoringRestartAllow: z
      .union([z.string(), z.array(z.string())])
      .transform((v) =>
        (typeof v === 'string' ? v.split(',') : v).map((n) => n.trim()).filter((n) => n !== ''),
      )
      .default([]),
    /**
     * How often the Docker containers are looked at for `status` messages while somebody listens
     * on `/monitoring`, in ms. @default 10000
     */
    monitoringServicesPollMs: z.coerce.number().int().min(100).max(600_000).default(10_000),
    /** Lines of the server's own log kept for `GET /api/v1/logs` (oldest deleted). @default 10000 */
    monitoringLogRows: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
    /** Tries per alert notification, the first included. @default 5 */
    monitoringNotifyAttempts: z.coerce.number().int().min(1).max(20).default(5),
    /** Delay before a notification's first retry, doubled for each next (at most 60 s). @default 1000 */
    monitoringNotifyRetryMs: z.coerce.number().int().min(10).max(60_000).default(1000),
    /**
     * The command run for the seed's `desktop` notifications (libnotify's `notify-send`, given
     * `--app-name`, `--urgency`, a title and a body). @default 'notify-send'
     */
    monitoringNotifySend: z.string().min(1).default('notify-send'),
    /**
     * Where `network.latency` is measured (the time a TCP connection attempt takes to be
     * answered): `gateway` (the IPv4 default gateway, port 53), `host:port`, or `off` (latency
     * null). @default 'gateway'
     */
    monitoringLatencyTarget: z
      .string()
      .transform((value, ctx) => {
        const trimmed = value.trim();
        if (trimmed === 'gateway' || trimmed === 'off') return trimmed;
        const address = listenAddress(trimmed);
        if (address === undefined || address.port === 0) {
          ctx.addIssue({ code: 'custom', message: `not gateway, off or host:port: ${value}` });
          return z.NEVER;
        }
        return address;
      })
      .default('gateway'),
    /** How often the latency is measured, in ms. @default 10000 */
    monitoringLatencyIntervalMs: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    /**
     * A second port that serves only the `/monitoring` WebSocket (seed 003 connects to
     * `ws://host:3001/monitoring`), bound to `HOST`, with the same auth and messages as on the
     * main port; 0 picks a free port. @default undefined (off)
     */
    monitoringWsPort: z.coerce.number().int().min(0).max(65_535).optional(),
    /**
     * Let monitoring reads (the routes a display token may call and the `/monitoring` socket) in
     * without credentials from loopback and private LAN addresses (10/8, 172.16/12, 192.168/16,
     * 169.254/16, fc00::/7, fe80::/10), so seed 003's example client runs as written. Changes
     * still need an operator. @default false
     */
    monitoringOpenReads: envBoolean.default(false),
    /**
     * Authelia-style forward auth for monitoring: `group:role` pairs (comma-separated, role
     * `viewer`, `operator` or `admin`). A request whose direct peer is a proxy listed in
     * `MARQUEE_TRUST_PROXY` and that carries `Remote-User` is that user, with the highest role
     * its `Remote-Groups` map to. @default [] (off: the headers are ignored)
     */
    forwardAuthGroups: z
      .string()
      .transform((value, ctx) => {
        const pairs: [string, 'viewer' | 'operator' | 'admin'][] = [];
        for (const entry of value.split(',')) {
          const trimmed = entry.trim();
          if (trimmed === '') continue;
          const colon = trimmed.lastIndexOf(':');
          const group = trimmed.slice(0, colon).trim();
          const role = trimmed.slice(colon + 1).trim();
          if (colon <= 0 || group === '' || !['viewer', 'operator', 'admin'].includes(role)) {
            ctx.addIssue({
              code: 'custom',
              message: `not group:role (viewer, operator or admin): ${trimmed}`,
            });
            return z.NEVER;
          }
          pairs.push([group, role as 'viewer' | 'operator' | 'admin']);
        }
        return pairs;
      })
      .default([]),
    /**
     * Folders whose images `GET /api/media/thumb/{path}` may serve as thumbnails (posters); in the
     * environment a list separated by the platform's path delimiter (`:`, `;` on Windows). Empty
     * turns thumbnails off. @default []
     */
    mediaRoots: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (typeof v === 'string' ? v.split(delimiter) : v).filter((p) => p !== ''))
      .default([]),
    /**
     * Disk the thumbnail cache (`<dataDir>/cache/thumbs/`) may fill, in bytes; past it the least
     * recently used thumbnails are deleted. @default 268435456 (256 MiB)
     */
    thumbCacheBytes: z.coerce
      .number()
      .int()
      .min(0)
      .default(256 * 1024 * 1024),
    /** Thumbnails rendered at the same time (each holds its source image in memory). @default 2 */
    thumbMaxRenders: z.coerce.number().int().min(1).default(2),
    /** Thumbnail renders that may wait for a free slot; beyond them the answer is 503. @default 32 */
    thumbMaxQueue: z.coerce.number().int().min(0).default(32),
    /**
     * Web origins (`https://app.example.com`) whose pages may call the REST API from a browser
     * (CORS); `*` lets any origin in, without credentials. In the environment a comma-separated
     * list. Empty: no CORS headers, browsers keep other origins out. @default []
     */
    corsOrigins: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (typeof v === 'string' ? v.split(',') : v).map((o) => o.trim()))
      .pipe(
        z.array(
          z.union([
            z.literal('*'),
            z
              .string()
              .regex(
                /^https?:\/\/[^/\s]+$/,
                'an origin is scheme://host[:port], without a path (or *)',
              ),
            z.literal(''),
          ]),
        ),
      )
      .transform((list) => list.filter((o) => o !== ''))
      .default([]),
    /** Largest media file an admin may upload to the signage library, in bytes (413 beyond). @default 1073741824 (1 GiB) */
    maxMediaUploadBytes: z.coerce
      .number()
      .int()
      .min(1)
      .default(1024 * 1024 * 1024),
    /** Largest screenshot a signage device may upload, in bytes (413 beyond). @default 10485760 (10 MiB) */
    maxScreenshotBytes: z.coerce
      .number()
      .int()
      .min(1)
      .default(10 * 1024 * 1024),
    /**
     * Free space uploads and screenshots must leave on the data directory's disk, in bytes, so
     * the database can still write; below it they get 507 (after the thumbnail cache and old
     * screenshots give space back). 0 turns the check off. @default 67108864 (64 MiB)
     */
    storageReserveBytes: z.coerce
      .number()
      .int()
      .min(0)
      .default(64 * 1024 * 1024),
    /**
     * Folder for scheduled backups (the archives `marquee backup` writes); unset: none are made.
     * @default undefined
     */
    backupDir: z.string().min(1).optional(),
    /**
     * How often a scheduled backup is made: seconds, or a number with `s`, `m`, `h` or `d`
     * (`6h`, `1d`). @default 1d
     */
    backupEverySeconds: z
      .union([z.number(), z.string()])
      .default('1d')
      .transform((value, ctx) => {
        const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(String(value));
        const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match?.[2]?.toLowerCase() ?? ''];
        const seconds = match === null || unit === undefined ? NaN : Number(match[1]) * unit;
        if (!(seconds >= 1 && seconds <= 366 * 86_400)) {
          ctx.addIssue({
            code: 'custom',
            message: 'a duration from 1s to 366d: seconds, or a number with s, m, h or d',
          });
          return z.NEVER;
        }
        return seconds;
      }),
    /** Scheduled backups kept: after each one, the oldest beyond this are deleted. @default 7 */
    backupKeep: z.coerce.number().int().min(1).max(10_000).default(7),
    /** Screenshots kept per signage device: storing a new one removes the oldest beyond this. @default 20 */
    maxScreenshotsPerDevice: z.coerce.number().int().min(1).default(20),
    /** Days a signage play (proof of play) is kept, counted from its start. @default 90 */
    proofOfPlayRetentionDays: z.coerce.number().int().min(1).max(3660).default(90),
    /** Signage plays kept in all; beyond it the oldest received are deleted. @default 1000000 */
    maxProofOfPlayRows: z.coerce.number().int().min(1).default(1_000_000),
    /**
     * Signage plays kept per device, the newest by start; beyond it that device's oldest are
     * deleted, so a flooding device cannot push out other devices' plays. @default 250000
     */
    maxProofOfPlayRowsPerDevice: z.coerce.number().int().min(1).default(250_000),
    /**
     * Proof-of-play batches one signage device may send per minute; beyond it 429 with
     * Retry-After (a player sends one batch per few plays and after an outage). @default 60
     */
    proofOfPlayBatchesPerMinute: z.coerce.number().int().min(1).max(100_000).default(60),
    /**
     * Commands waiting for delivery (`queued`) per signage device; a command beyond gets 429 (a
     * broadcast skips that device and says so). @default 100
     */
    maxPendingCommandsPerDevice: z.coerce.number().int().min(1).default(100),
    /**
     * The longest a signage state change (command sent / acked, last seen, ready playlists)
     * waits to be written with others in one transaction, in ms; 0 writes each event-loop
     * turn's changes at its end. @default 0
     */
    signageBatchDelayMs: z.coerce.number().int().min(0).max(1000).default(0),
    /** How long a command for an offline signage device waits before it expires. @default 86400 (1 day) */
    /** How long a screen's pairing code waits for an operator's approval, in seconds. @default 600 */
    pairingCodeTtlSeconds: z.coerce.number().int().min(30).max(86_400).default(600),
    /** Pairing codes pending at once; beyond it a new request gets 503. @default 1000 */
    maxPendingPairings: z.coerce.number().int().min(1).default(1000),
    commandTtlSeconds: z.coerce
      .number()
      .int()
      .min(1)
      .default(24 * 3600),
    /** The `nvidia-smi` executable: a name looked up on PATH, or a path (a fake in tests). @default 'nvidia-smi' */
    nvidiaSmiPath: z.string().min(1).default('nvidia-smi'),
    /** A run of nvidia-smi still going after this long is killed and reported as `timeout`. @default 5000 */
    nvidiaSmiTimeoutMs: z.coerce.number().int().min(100).default(5000),
    /** GPU sampler and `vram_update` interval (seed 004: every 2 s). @default 2000 */
    gpuSampleIntervalMs: z.coerce.number().int().min(100).default(2000),
    /**
     * Ollama's address, as Ollama's own `OLLAMA_HOST` spells it: `http://host:port`, or `host:port`
     * / `host` (http and port 11434 are assumed). @default 'http://localhost:11434'
     */
    ollamaHost: z
      .string()
      .min(1)
      .transform((value, ctx) => {
        const url = ollamaUrl(value);
        if (url === undefined) {
          ctx.addIssue({ code: 'custom', message: `not an http(s) address: ${value}` });
          return z.NEVER;
        }
        return url;
      })
      .default('http://localhost:11434'),
    /**
     * `keep_alive` sent with a load that names none: a Go duration (`5m`, `1h`), or seconds; a
     * negative value keeps the model loaded. @default undefined (Ollama's own default, 5 m)
     */
    ollamaKeepAlive: z
      .union([z.number(), z.string().trim().min(1)])
      .transform((v) => (typeof v === 'string' && /^-?\d+(?:\.\d+)?$/.test(v) ? Number(v) : v))
      .pipe(protocol.gpu.KeepAlive)
      .optional(),
    /** Limit for one Ollama call (list, load, unload, delete), and for a pull's silence. @default 120 */
    ollamaTimeoutSeconds: z.coerce.number().min(1).default(120),
    /** Require `Authorization: Bearer <PROXY_AUTH_TOKEN>` on the Ollama proxy (seed 004). @default false */
    proxyAuthEnabled: envBoolean.default(false),
    /** The Ollama proxy's token; required when `PROXY_AUTH_ENABLED` is true. */
    proxyAuthToken: z.string().min(1).optional(),
    /** Largest request body the Ollama proxy forwards, in bytes; larger ones get 413. @default 104857600 (100 MiB) */
    maxProxyRequestSize: z.coerce
      .number()
      .int()
      .min(0)
      .default(100 * 1024 * 1024),
    /** How long the Ollama proxy waits for Ollama to answer (and between chunks) before 504. @default 30 */
    proxyTimeoutSeconds: z.coerce.number().min(0.1).default(30),
    // Rate limits (core/rate-limit/). Successful sign-ins are never counted (DESIGN.md habit 14).
    /** Failed sign-ins per client address per window before 429 (failed refreshes count apart); 0 = no limit. @default 100 */
    loginMaxFailuresPerIp: z.coerce.number().int().min(0).default(100),
    /** Failed sign-ins per user name per window before 429; a success clears them; 0 = no limit. @default 10 */
    loginMaxFailuresPerUsername: z.coerce.number().int().min(0).default(10),
    /** The window failed sign-ins are counted in, in seconds. @default 900 (15 min) */
    loginFailureWindowSeconds: z.coerce.number().int().min(1).default(900),
    /** Password checks (scrypt, on libuv's 4-thread pool) running at once; others wait in order. @default 2 */
    loginConcurrency: z.coerce.number().int().min(1).default(2),
    /** Sign-ins waiting for a password check; beyond it 503 + Retry-After. @default 1000 */
    maxQueuedLogins: z.coerce.number().int().min(0).default(1000),
    /** Limits the route tables document (seed 001 per user, seed 003 per address): `on`, `off` or overrides (see README). @default 'on' */
    routeRateLimits: RouteRateLimitsSetting.default({ enabled: true, overrides: {} }),
    /**
     * New WebSocket connections per client address per second; beyond it HTTP 429 before the
     * handshake; 0 = no limit. Above what one server accepts in a reconnect storm (bench/storm.ts:
     * about 500 per second), so a fleet behind one address is held back by the server, not by this.
     * @default 1000
     */
    wsConnectsPerIpPerSecond: z.coerce.number().int().min(0).default(1000),
    /** Client addresses (or callers) each rate-limit counter remembers at once (least recent forgotten). @default 20000 */
    rateLimitMaxKeys: z.coerce.number().int().min(100).default(20_000),
    /** Exempt 127.0.0.0/8 and ::1 from every rate limit: for tests that start many clients on one machine. @default false */
    rateLimitExemptLoopback: envBoolean.default(false),
    /**
     * Bearer token that `GET /metrics` (Prometheus text) requires. With neither this nor
     * `MARQUEE_METRICS_LISTEN` set, metrics are off (404). @default undefined
     */
    metricsToken: z.string().min(16, 'use at least 16 characters').optional(),
    /**
     * `host:port` of a second HTTP listener that serves only `GET /metrics` (`[::1]:9464` for
     * IPv6); the main port then answers 404 there. @default undefined
     */
    metricsListen: z
      .string()
      .transform((value, ctx) => {
        const address = listenAddress(value);
        if (address === undefined) {
          ctx.addIssue({ code: 'custom', message: `not host:port: ${value}` });
          return z.NEVER;
        }
        return address;
      })
      .optional(),
    // Media-stack upstreams (seed 001, src/integrations/media): each is off unless its URL is set.
    /** Plex Media Server, e.g. `http://plex:32400`. */
    plexUrl: upstreamUrl.optional(),
    /** Plex's `X-Plex-Token`; required with `MARQUEE_PLEX_URL`. */
    plexToken: z.string().min(1).optional(),
    /** Seconds between two polls of Plex. @default 30 */
    plexIntervalSeconds: upstreamInterval,
    /** Jellyfin, e.g. `http://jellyfin:8096`. */
    jellyfinUrl: upstreamUrl.optional(),
    /** A Jellyfin API key (Dashboard → API Keys); required with `MARQUEE_JELLYFIN_URL`. */
    jellyfinApiKey: z.string().min(1).optional(),
    /** Seconds between two polls of Jellyfin. @default 30 */
    jellyfinIntervalSeconds: upstreamInterval,
    /** Tautulli, e.g. `http://tautulli:8181`. */
    tautulliUrl: upstreamUrl.optional(),
    /** Tautulli's API key; required with `MARQUEE_TAUTULLI_URL`. */
    tautulliApiKey: z.string().min(1).optional(),
    /** Seconds between two polls of Tautulli. @default 30 */
    tautulliIntervalSeconds: upstreamInterval,
    /** Overseerr or Jellyseerr, e.g. `http://overseerr:5055`. */
    overseerrUrl: upstreamUrl.optional(),
    /** Overseerr's API key; required with `MARQUEE_OVERSEERR_URL`. */
    overseerrApiKey: z.string().min(1).optional(),
    /** Seconds between two polls of Overseerr. @default 30 */
    overseerrIntervalSeconds: upstreamInterval,
    /** Sonarr (API v3), e.g. `http://sonarr:8989`. */
    sonarrUrl: upstreamUrl.optional(),
    /** Sonarr's API key; required with `MARQUEE_SONARR_URL`. */
    sonarrApiKey: z.string().min(1).optional(),
    /** Seconds between two polls of Sonarr. @default 30 */
    sonarrIntervalSeconds: upstreamInterval,
    /** Radarr (API v3), e.g. `http://radarr:7878`. */
    radarrUrl: upstreamUrl.optional(),
    /** Radarr's API key; required with `MARQUEE_RADARR_URL`. */
    radarrApiKey: z.string().min(1).optional(),
    /** Seconds between two polls of Radarr. @default 30 */
    radarrIntervalSeconds: upstreamInterval,
    /** Prowlarr, e.g. `http://prowlarr:9696`. */
    prowlarrUrl: upstreamUrl.optional(),
    /** Prowlarr's API key; required with `MARQUEE_PROWLARR_URL`. */
    prowlarrApiKey: z.string().min(1).optional(),
    /** Seconds between two polls of Prowlarr. @default 30 */
    prowlarrIntervalSeconds: upstreamInterval,
    /** qBittorrent's WebUI, e.g. `http://qbittorrent:8080`. */
    qbittorrentUrl: upstreamUrl.optional(),
    /** qBittorrent's WebUI user name; required with `MARQUEE_QBITTORRENT_URL`. */
    qbittorrentUsername: z.string().min(1).optional(),
    /** qBittorrent's WebUI password; required with `MARQUEE_QBITTORRENT_URL`. */
    qbittorrentPassword: z.string().min(1).optional(),
    /** Seconds between two polls of qBittorrent. @default 30 */
    qbittorrentIntervalSeconds: upstreamInterval,
    /** Limit for one call to a media-stack upstream, in seconds. @default 10 */
    upstreamTimeoutSeconds: z.coerce.number().min(0.1).max(300).default(10),
    /** A poll slower than this (ms) marks the upstream `degraded`. @default 5000 */
    upstreamDegradedMs: z.coerce.number().int().min(1).default(5000),
    // The MQTT bridge for Home Assistant (integrations/mqtt); off unless MARQUEE_MQTT_URL is set.
    ...mqttSettings,
  })
  .superRefine((config, ctx) => {
    for (const [urlKey, needed] of Object.entries(UPSTREAM_CREDENTIALS)) {
      if (config[urlKey as keyof typeof UPSTREAM_CREDENTIALS] === undefined) continue;
      for (const key of needed) {
        if (config[key] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `required when ${ENV_NAMES[urlKey as keyof typeof UPSTREAM_CREDENTIALS]} is set`,
          });
        }
      }
    }
  })
  .superRefine((config, ctx) => {
    // Scheduled backups archive the SQLite file; PostgreSQL is backed up with its own tools.
    if (config.backupDir !== undefined && config.databaseUrl !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['backupDir'],
        message:
          'backs up the embedded SQLite store; with MARQUEE_DATABASE_URL use pg_dump instead (docs/deploy.md)',
      });
    }
    // Forward-auth headers are believed only from proxies named by address.
    if (
      config.forwardAuthGroups.length > 0 &&
      (typeof config.trustProxy !== 'string' || config.trustProxy.trim() === '')
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['forwardAuthGroups'],
        message:
          'needs MARQUEE_TRUST_PROXY to list the proxy addresses (not true or a hop count): the headers are believed only from them',
      });
    }
    // Instances on the bus share their store: each on its own SQLite file would not be one.
    if (config.redisUrl !== undefined && config.databaseUrl === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['redisUrl'],
        message:
          'needs MARQUEE_DATABASE_URL: the instances on one bus share one PostgreSQL database (docs/deploy.md)',
      });
    }
    // A proxy that is meant to be guarded must not start open.
    if (config.proxyAuthEnabled && config.proxyAuthToken === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['proxyAuthToken'],
        message: 'required when PROXY_AUTH_ENABLED is true',
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Environment variable for each config key. */
export const ENV_NAMES: Readonly<Record<keyof Config, string>> = {
  port: 'PORT',
  host: 'HOST',
  dataDir: 'MARQUEE_DATA_DIR',
  databaseUrl: 'MARQUEE_DATABASE_URL',
  databasePoolMax: 'MARQUEE_DATABASE_POOL_MAX',
  redisUrl: 'MARQUEE_REDIS_URL',
  redisPrefix: 'MARQUEE_REDIS_PREFIX',
  redisMaxQueued: 'MARQUEE_REDIS_MAX_QUEUED',
  logLevel: 'LOG_LEVEL',
  adminUsername: 'DASHBOARD_AUTH_USERNAME',
  adminPassword: 'DASHBOARD_AUTH_PASSWORD',
  jwtSecret: 'MARQUEE_JWT_SECRET',
  accessTokenTtlSeconds: 'MARQUEE_ACCESS_TOKEN_TTL_SECONDS',
  refreshTokenTtlSeconds: 'MARQUEE_REFRESH_TOKEN_TTL_SECONDS',
  sessionExpiryHours: 'SESSION_EXPIRY_HOURS',
  trustProxy: 'MARQUEE_TRUST_PROXY',
  maxConnectionsPerIp: 'MARQUEE_MAX_CONNECTIONS_PER_IP',
  maxConnectionsPerUser: 'MARQUEE_MAX_CONNECTIONS_PER_USER',
  maxWsPayloadBytes: 'MARQUEE_MAX_WS_PAYLOAD_BYTES',
  maxBodyBytes: 'MARQUEE_MAX_BODY_BYTES',
  wsPingIntervalMs: 'MARQUEE_WS_PING_INTERVAL_MS',
  wsMaxQueuedMessages: 'MARQUEE_WS_MAX_QUEUED_MESSAGES',
  nowPlayingWsAuth: 'MARQUEE_NOW_PLAYING_WS_AUTH',
  sessionTtlSeconds: 'MARQUEE_SESSION_TTL_SECONDS',
  maxSessionsPerUser: 'MARQUEE_MAX_SESSIONS_PER_USER',
  maxSessions: 'MARQUEE_MAX_SESSIONS',
  sampleIntervalMs: 'MARQUEE_SAMPLE_INTERVAL_MS',
  monitoringRecord: 'MARQUEE_MONITORING_RECORD',
  monitoringSecondTierHours: 'MARQUEE_MONITORING_SECOND_TIER_HOURS',
  monitoringMinuteTierDays: 'MARQUEE_MONITORING_MINUTE_TIER_DAYS',
  monitoringHourTierDays: 'MARQUEE_MONITORING_HOUR_TIER_DAYS',
  monitoringLogRows: 'MARQUEE_MONITORING_LOG_ROWS',
  dockerSocket: 'MARQUEE_DOCKER_SOCKET',
  monitoringServicesPollMs: 'MARQUEE_MONITORING_SERVICES_POLL_MS',
  monitoringRestartAllow: 'MARQUEE_MONITORING_RESTART_ALLOW',
  monitoringNotifyAttempts: 'MARQUEE_MONITORING_NOTIFY_ATTEMPTS',
  monitoringNotifyRetryMs: 'MARQUEE_MONITORING_NOTIFY_RETRY_MS',
  monitoringNotifySend: 'MARQUEE_MONITORING_NOTIFY_SEND',
  monitoringLatencyTarget: 'MARQUEE_MONITORING_LATENCY_TARGET',
  monitoringLatencyIntervalMs: 'MARQUEE_MONITORING_LATENCY_INTERVAL_MS',
  monitoringWsPort: 'MARQUEE_MONITORING_WS_PORT',
  monitoringOpenReads: 'MARQUEE_MONITORING_OPEN_READS',
  forwardAuthGroups: 'MARQUEE_FORWARD_AUTH_GROUPS',
  mediaRoots: 'MARQUEE_MEDIA_ROOTS',
  thumbCacheBytes: 'MARQUEE_THUMB_CACHE_BYTES',
  thumbMaxRenders: 'MARQUEE_THUMB_MAX_RENDERS',
  thumbMaxQueue: 'MARQUEE_THUMB_MAX_QUEUE',
  corsOrigins: 'MARQUEE_CORS_ORIGINS',
  maxMediaUploadBytes: 'MARQUEE_MAX_MEDIA_UPLOAD_BYTES',
  maxScreenshotBytes: 'MARQUEE_MAX_SCREENSHOT_BYTES',
  storageReserveBytes: 'MARQUEE_STORAGE_RESERVE_BYTES',
  backupDir: 'MARQUEE_BACKUP_DIR',
  backupEverySeconds: 'MARQUEE_BACKUP_EVERY',
  backupKeep: 'MARQUEE_BACKUP_KEEP',
  maxScreenshotsPerDevice: 'MARQUEE_MAX_SCREENSHOTS_PER_DEVICE',
  proofOfPlayRetentionDays: 'MARQUEE_PROOF_OF_PLAY_RETENTION_DAYS',
  maxProofOfPlayRows: 'MARQUEE_MAX_PROOF_OF_PLAY_ROWS',
  maxProofOfPlayRowsPerDevice: 'MARQUEE_MAX_PROOF_OF_PLAY_ROWS_PER_DEVICE',
  proofOfPlayBatchesPerMinute: 'MARQUEE_PROOF_OF_PLAY_BATCHES_PER_MINUTE',
  maxPendingCommandsPerDevice: 'MARQUEE_MAX_PENDING_COMMANDS_PER_DEVICE',
  signageBatchDelayMs: 'MARQUEE_SIGNAGE_BATCH_DELAY_MS',
  pairingCodeTtlSeconds: 'MARQUEE_PAIRING_CODE_TTL_SECONDS',
  maxPendingPairings: 'MARQUEE_MAX_PENDING_PAIRINGS',
  commandTtlSeconds: 'MARQUEE_COMMAND_TTL_SECONDS',
  nvidiaSmiPath: 'NVIDIA_SMI_PATH',
  nvidiaSmiTimeoutMs: 'MARQUEE_NVIDIA_SMI_TIMEOUT_MS',
  gpuSampleIntervalMs: 'MARQUEE_GPU_SAMPLE_INTERVAL_MS',
  ollamaHost: 'OLLAMA_HOST',
  ollamaKeepAlive: 'MARQUEE_OLLAMA_KEEP_ALIVE',
  ollamaTimeoutSeconds: 'MARQUEE_OLLAMA_TIMEOUT_SECONDS',
  proxyAuthEnabled: 'PROXY_AUTH_ENABLED',
  proxyAuthToken: 'PROXY_AUTH_TOKEN',
  maxProxyRequestSize: 'MAX_PROXY_REQUEST_SIZE',
  proxyTimeoutSeconds: 'PROXY_TIMEOUT_SECONDS',
  loginMaxFailuresPerIp: 'MARQUEE_LOGIN_MAX_FAILURES_PER_IP',
  loginMaxFailuresPerUsername: 'MARQUEE_LOGIN_MAX_FAILURES_PER_USERNAME',
  loginFailureWindowSeconds: 'MARQUEE_LOGIN_FAILURE_WINDOW_SECONDS',
  loginConcurrency: 'MARQUEE_LOGIN_CONCURRENCY',
  maxQueuedLogins: 'MARQUEE_MAX_QUEUED_LOGINS',
  routeRateLimits: 'MARQUEE_ROUTE_RATE_LIMITS',
  wsConnectsPerIpPerSecond: 'MARQUEE_WS_CONNECTS_PER_IP_PER_SECOND',
  rateLimitMaxKeys: 'MARQUEE_RATE_LIMIT_MAX_KEYS',
  rateLimitExemptLoopback: 'MARQUEE_RATE_LIMIT_EXEMPT_LOOPBACK',
  metricsToken: 'MARQUEE_METRICS_TOKEN',
  metricsListen: 'MARQUEE_METRICS_LISTEN',
  plexUrl: 'MARQUEE_PLEX_URL',
  plexToken: 'MARQUEE_PLEX_TOKEN',
  plexIntervalSeconds: 'MARQUEE_PLEX_INTERVAL_SECONDS',
  jellyfinUrl: 'MARQUEE_JELLYFIN_URL',
  jellyfinApiKey: 'MARQUEE_JELLYFIN_API_KEY',
  jellyfinIntervalSeconds: 'MARQUEE_JELLYFIN_INTERVAL_SECONDS',
  tautulliUrl: 'MARQUEE_TAUTULLI_URL',
  tautulliApiKey: 'MARQUEE_TAUTULLI_API_KEY',
  tautulliIntervalSeconds: 'MARQUEE_TAUTULLI_INTERVAL_SECONDS',
  overseerrUrl: 'MARQUEE_OVERSEERR_URL',
  overseerrApiKey: 'MARQUEE_OVERSEERR_API_KEY',
  overseerrIntervalSeconds: 'MARQUEE_OVERSEERR_INTERVAL_SECONDS',
  sonarrUrl: 'MARQUEE_SONARR_URL',
  sonarrApiKey: 'MARQUEE_SONARR_API_KEY',
  sonarrIntervalSeconds: 'MARQUEE_SONARR_INTERVAL_SECONDS',
  radarrUrl: 'MARQUEE_RADARR_URL',
  radarrApiKey: 'MARQUEE_RADARR_API_KEY',
  radarrIntervalSeconds: 'MARQUEE_RADARR_INTERVAL_SECONDS',
  prowlarrUrl: 'MARQUEE_PROWLARR_URL',
  prowlarrApiKey: 'MARQUEE_PROWLARR_API_KEY',
  prowlarrIntervalSeconds: 'MARQUEE_PROWLARR_INTERVAL_SECONDS',
  qbittorrentUrl: 'MARQUEE_QBITTORRENT_URL',
  qbittorrentUsername: 'MARQUEE_QBITTORRENT_USERNAME',
  qbittorrentPassword: 'MARQUEE_QBITTORRENT_PASSWORD',
  qbittorrentIntervalSeconds: 'MARQUEE_QBITTORRENT_INTERVAL_SECONDS',
  upstreamTimeoutSeconds: 'MARQUEE_UPSTREAM_TIMEOUT_SECONDS',
  upstreamDegradedMs: 'MARQUEE_UPSTREAM_DEGRADED_MS',
  ...MQTT_ENV_NAMES,
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** Directory searched for `.env`. @default process.cwd() */
  cwd?: string;
  /** Values that win over every other source (tests, embedding). */
  overrides?: ConfigInput;
}

/** Reads, merges and validates the configuration; throws ConfigError naming each bad variable. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const merged: Record<string, unknown> = {};

  const configFile = env.MARQUEE_CONFIG;
  if (configFile) Object.assign(merged, readJsonFile(resolve(cwd, configFile)));

  const envFile = resolve(cwd, env.MARQUEE_ENV_FILE ?? '.env');
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name] ?? fromFile[name];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const dockerHost = env.DOCKER_HOST ?? fromFile.DOCKER_HOST;
  if (merged.dockerSocket === undefined && dockerHost?.startsWith('unix://')) {
    merged.dockerSocket = dockerHost.slice('unix://'.length);
  }
  Object.assign(merged, options.overrides);

  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const name = ENV_NAMES[key as keyof Config] ?? key;
      return `${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

function readJsonFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${path}`, { cause: error });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(`Config file ${path} must hold a JSON object`);
    }
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Config file ${path} is not valid JSON`, { cause: error });
  }
}
