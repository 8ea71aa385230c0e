/**
 * Handlers for the routes every surface shares: health, seed 002's token endpoints (one identity
 * system for all surfaces), the browser session cookie, the display-token admin API and the
 * accounts routes (account-routes.ts).
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  clearedSessionCookie,
  credentialsFromRequest,
  type AuthService,
  type SessionCookie,
} from './auth';
import type { LoginLimits } from './rate-limit';
import type { StorageMonitor } from './storage';
import type { DisplayTokenRecord } from './store';
import { mountAccountRoutes } from './account-routes';
import { mountRoutes, noContent, pickRoutes, Status, type Authenticator } from './routes';

export interface CoreRoutesOptions {
  readonly auth: AuthService;
  readonly authenticate: Authenticator;
  /** Failed sign-in limits for the token and session routes. */
  readonly logins: LoginLimits;
  readonly version: string;
  readonly storeKind: 'sqlite' | 'postgres';
  /** The data directory's disk, reported by `/healthz`. */
  readonly storage: Pick<StorageMonitor, 'status'>;
  /** When the server started, on the monotonic clock (uptime must not jump with the wall clock). */
  readonly startedAt: number;
  readonly monotonic: () => number;
  readonly validateResponses: boolean;
  /** Closes open sockets held by a revoked display token. */
  readonly onDisplayTokenRevoked?: (id: string) => void;
}

const tokenRoutes = pickRoutes(protocol.signage.signageRoutes, [
  'signage.login',
  'signage.refresh',
]);

function setCookie(reply: FastifyReply, cookie: SessionCookie): void {
  void reply.setCookie(cookie.name, cookie.value, cookie.options);
}

/** A sign-in from `request`: its client address and user name, and whether the client left. */
function signInOf(request: FastifyRequest, username: string) {
  return { ip: request.ip, username, cancelled: () => request.raw.socket.destroyed };
}

/** Cookies are Secure when the request arrived over HTTPS (directly or via a trusted proxy). */
function isSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

function toDisplayToken(record: DisplayTokenRecord): protocol.core.DisplayToken {
  return {
    id: record.id,
    name: record.name,
    scopes: [...record.scopes],
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
    last_used_at: record.lastUsedAt,
  };
}

export function mountCoreRoutes(app: FastifyInstance, options: CoreRoutesOptions): void {
  const { auth, authenticate, logins } = options;
  const validateResponses = options.validateResponses;

  mountRoutes(app, protocol.core.coreRoutes, {
    surface: protocol.core.coreSurface,
    authenticate,
    validateResponses,
    handlers: {
      'core.health': () => {
        const storage = options.storage.status();
        const failing = storage.state === 'full' || storage.state === 'read_only';
        return {
          status: failing ? ('degraded' as const) : ('ok' as const),
          version: options.version,
          uptime_seconds: Math.round((options.monotonic() - options.startedAt) / 1000),
          store: options.storeKind,
          storage: {
            state: storage.state,
            free_bytes: storage.freeBytes,
            total_bytes: storage.totalBytes,
            reserve_bytes: storage.reserveBytes,
          },
        };
      },
      'core.sessionLogin': async ({ body, reply, request }) => {
        const user = await logins.signIn(signInOf(request, body.username), () =>
          auth.verifyCredentials(body.username, body.password),
        );
        const session = await auth.createSession(user.userId);
        setCookie(reply, auth.sessionCookie(session, { secure: isSecure(request) }));
        return {
          kind: 'user' as const,
          username: user.username,
          role: user.role,
          expires_at: session.expiresAt.toISOString(),
        };
      },
      'core.sessionLogout': async ({ request, reply }) => {
        const { cookie } = credentialsFromRequest(request.headers);
        if (cookie) await auth.logout(cookie);
        setCookie(reply, clearedSessionCookie({ secure: isSecure(request) }));
        return noContent();
      },
      'core.me': ({ identity }) => {
        if (!identity) throw new MarqueeError('UNAUTHORIZED', 'Not signed in');
        return identity.kind === 'user'
          ? { kind: 'user' as const, username: identity.username, role: identity.role }
          : { kind: 'display' as const, name: identity.name, scopes: [...identity.scopes] };
      },
      'core.displayTokenCreate': async ({ body, identity }) => {
        if (identity?.kind !== 'user') throw new MarqueeError('FORBIDDEN', 'Admins only');
        const { token, record } = await auth.createDisplayToken({
          name: body.name,
          scopes: body.scopes,
          createdBy: identity.userId,
        });
        return new Status(201, { ...toDisplayToken(record), token });
      },
      'core.displayTokenList': async () => ({
        tokens: (await auth.listDisplayTokens()).map(toDisplayToken),
      }),
      'core.displayTokenRevoke': async ({ params }) => {
        if (!(await auth.revokeDisplayToken(params.id))) {
          throw new MarqueeError('NOT_FOUND', `Display token ${params.id} not found`);
        }
        options.onDisplayTokenRevoked?.(params.id);
        return noContent();
      },
    },
  });

  mountAccountRoutes(app, { auth, authenticate, validateResponses });

  // Seed 002's token endpoints serve every surface: one identity system.
  mountRoutes(app, tokenRoutes, {
    surface: protocol.signage.signageSurface,
    authenticate,
    validateResponses,
    handlers: {
      'signage.login': ({ body, request }) =>
        logins.signIn(signInOf(request, body.username), () =>
          auth.login(body.username, body.password),
        ),
      'signage.refresh': ({ body, request }) =>
        logins.refresh(request.ip, () => auth.refresh(body.refresh)),
    },
  });
}
