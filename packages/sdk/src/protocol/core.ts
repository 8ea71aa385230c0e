/**
 * Marquee's own routes, shared by every surface: health, the browser session cookie, the admin
 * API for display tokens and for users (accounts.ts), and one's own password. They follow seed 002's style (`/api/v1`, trailing slashes,
 * `{message, status_code}` errors), since the seeds' token endpoints live there too.
 */
import * as z from 'zod/mini';
import { isoDateTime } from './primitives';
import { defineRoute, defineSurface, response } from './tables';
import { accountRoutes } from './accounts';
import { Role } from './roles';
import { LoginBody } from './signage/auth';
import { SignageError, signageErrorShape } from './signage/errors';

/**
 * The data directory's disk: `low` while free space is below the reserve uploads must leave (they
 * get 507), `full` after a write failed for want of space (507 STORAGE_FULL) until space comes
 * back, `read_only` while the data directory cannot be written (503 STORAGE_READ_ONLY).
 */
export const StorageHealth = z
  .object({
    state: z.enum(['ok', 'low', 'full', 'read_only']),
    /** Bytes free to the server on the data directory's filesystem; null when unreadable. */
    free_bytes: z.nullable(z.number().check(z.int(), z.minimum(0))),
    total_bytes: z.nullable(z.number().check(z.int(), z.minimum(0))),
    /** MARQUEE_STORAGE_RESERVE_BYTES. */
    reserve_bytes: z.number().check(z.int(), z.minimum(0)),
  })
  .register(z.globalRegistry, { id: 'CoreStorageHealth' });
export type StorageHealth = z.infer<typeof StorageHealth>;

export const Health = z
  .object({
    /** `degraded` while the storage is `full` or `read_only`: reads work, writes are refused. */
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    uptime_seconds: z.number().check(z.minimum(0)),
    store: z.enum(['sqlite', 'postgres']),
    storage: StorageHealth,
  })
  .register(z.globalRegistry, { id: 'CoreHealth' });
export type Health = z.infer<typeof Health>;

export { Role } from './roles';
export {
  accountRoutes,
  ChangePassword,
  CreatedUser,
  CreateUser,
  Password,
  UpdateUser,
  User,
  UserList,
  UserListQuery,
  UserParams,
  Username,
} from './accounts';

/** The signed-in browser session, answered by login and `me`. */
export const SessionInfo = z
  .object({
    kind: z.enum(['user', 'display']),
    username: z.optional(z.string()),
    role: z.optional(Role),
    /** Display token name, for `kind: display`. */
    name: z.optional(z.string()),
    scopes: z.optional(z.array(z.string())),
    expires_at: z.optional(isoDateTime),
  })
  .register(z.globalRegistry, { id: 'CoreSessionInfo' });
export type SessionInfo = z.infer<typeof SessionInfo>;

/** Scopes a display token can read; `*` is every read-only surface. */
export const DisplayScope = z.enum(['now-playing', 'media-stack', 'monitoring', 'gpu', '*']);
export type DisplayScope = z.infer<typeof DisplayScope>;

export const CreateDisplayToken = z
  .object({
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
    scopes: z._default(z.array(DisplayScope).check(z.minLength(1), z.maxLength(5)), [
      'now-playing',
    ]),
  })
  .register(z.globalRegistry, { id: 'CoreCreateDisplayToken' });
export type CreateDisplayToken = z.infer<typeof CreateDisplayToken>;

export const DisplayToken = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    created_at: isoDateTime,
    revoked_at: z.nullable(isoDateTime),
    last_used_at: z.nullable(isoDateTime),
  })
  .register(z.globalRegistry, { id: 'CoreDisplayToken' });
export type DisplayToken = z.infer<typeof DisplayToken>;

/** The creation answer is the only time the secret is shown. */
export const CreatedDisplayToken = z
  .extend(DisplayToken, { token: z.string() })
  .register(z.globalRegistry, {
    id: 'CoreCreatedDisplayToken',
  });

export const DisplayTokenList = z
  .object({ tokens: z.array(DisplayToken) })
  .register(z.globalRegistry, { id: 'CoreDisplayTokenList' });

export const DisplayTokenParams = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(100)),
});

const err = (description: string) => response(description, SignageError);

export const coreRoutes = [
  defineRoute({
    id: 'core.health',
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness, version and the state of the data directory disk',
    auth: 'none',
    extension: true,
    responses: { 200: response('The server is up', Health) },
  }),
  defineRoute({
    id: 'core.sessionLogin',
    method: 'POST',
    path: '/api/v1/auth/session/',
    summary: 'Browser sign-in: sets the HttpOnly session cookie used by the dashboard pages',
    auth: 'none',
    body: LoginBody,
    bodyKind: 'json',
    extension: true,
    responses: {
      200: response('Signed in; Set-Cookie carries the session', SessionInfo),
      400: err('Invalid username or password'),
      429: err(
        'Too many failed sign-ins from this address or for this user name; `Retry-After` applies',
      ),
      503: err('Too many sign-ins waiting for a password check; `Retry-After` applies'),
    },
  }),
  defineRoute({
    id: 'core.sessionLogout',
    method: 'DELETE',
    path: '/api/v1/auth/session/',
    summary: 'Browser sign-out: ends the session and clears the cookie',
    auth: 'none',
    extension: true,
    responses: { 204: response('Signed out', null) },
  }),
  defineRoute({
    id: 'core.me',
    method: 'GET',
    path: '/api/v1/auth/me/',
    summary: 'Who the presented credentials belong to',
    auth: 'any',
    extension: true,
    responses: { 200: response('The caller', SessionInfo), 401: err('No valid credentials') },
  }),
  defineRoute({
    id: 'core.displayTokenCreate',
    method: 'POST',
    path: '/api/v1/admin/display-tokens/',
    summary: 'Create a read-only display token (the secret is shown once)',
    auth: 'admin',
    body: CreateDisplayToken,
    bodyKind: 'json',
    extension: true,
    responses: {
      201: response('Created', CreatedDisplayToken),
      400: err('Invalid name or scopes'),
      401: err('Not signed in'),
      403: err('Not an admin'),
    },
  }),
  defineRoute({
    id: 'core.displayTokenList',
    method: 'GET',
    path: '/api/v1/admin/display-tokens/',
    summary: 'List display tokens (secrets are never listed)',
    auth: 'admin',
    extension: true,
    responses: {
      200: response('All tokens, revoked ones included', DisplayTokenList),
      401: err('Not signed in'),
      403: err('Not an admin'),
    },
  }),
  defineRoute({
    id: 'core.displayTokenRevoke',
    method: 'DELETE',
    path: '/api/v1/admin/display-tokens/{id}/',
    summary: 'Revoke a display token; its open sockets are closed at once',
    auth: 'admin',
    params: DisplayTokenParams,
    extension: true,
    responses: {
      204: response('Revoked', null),
      400: err('Invalid token id'),
      401: err('Not signed in'),
      403: err('Not an admin'),
      404: err('No such token'),
    },
  }),
] as const;

/**
 * `GET /metrics`, served by the server's metrics module rather than with the routes above. Its
 * policy is `none` because the credential is not an account: the handler checks the scraper's
 * own token (MARQUEE_METRICS_TOKEN), and answers 404 while metrics are off on this port.
 */
export const metricsRoutes = [
  defineRoute({
    id: 'core.metrics',
    method: 'GET',
    path: '/metrics',
    summary:
      'Prometheus metrics (text exposition format) for a scraper sending `Authorization: Bearer <MARQUEE_METRICS_TOKEN>`; 404 while metrics are off here (no token set, or served on MARQUEE_METRICS_LISTEN instead)',
    auth: 'none',
    extension: true,
    responses: {
      200: response('Every metric (docs/metrics.md)', null, 'text/plain; version=0.0.4'),
      401: err('No metrics token, or a wrong one'),
      404: err('Metrics are not served on this port'),
    },
  }),
] as const;

/** The core surface as documented: its own routes, the accounts routes and metrics. */
const documentedCoreRoutes = [...coreRoutes, ...accountRoutes, ...metricsRoutes] as const;

export const coreSurface = defineSurface({
  name: 'core',
  title: 'Core',
  seed: '',
  description:
    'Health, browser sessions and display tokens shared by every surface (Marquee extension).',
  errorShape: signageErrorShape,
  routes: documentedCoreRoutes,
  channels: [],
});
