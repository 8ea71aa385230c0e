/**
 * Cross-site request forgery guard for the browser session cookie. A request whose only
 * credential is the `marquee_session` cookie is refused with 403 when it changes state (POST,
 * PUT, PATCH, DELETE) or opens a WebSocket, and its `Origin` is neither the server's own nor one
 * listed in `MARQUEE_CORS_ORIGINS`. The rules:
 *
 * - Own origin: the Origin's host and port equal the request's `Host` (or `X-Forwarded-Host`
 *   from a trusted proxy), default ports folded. The scheme is not compared: behind a TLS proxy
 *   that is not trusted the server sees http while the page is https, and another scheme on the
 *   very same host and port is the server itself.
 * - Listed origins must match exactly; `*` does not count here (it opens CORS without
 *   credentials, so it cannot vouch for a cookie).
 * - No Origin header: allowed. Browsers send Origin on every cross-origin POST, PUT, PATCH and
 *   DELETE and on every WebSocket handshake, so a request without one comes from a non-browser
 *   client (curl, a script holding the cookie), which no forged page can drive. `Origin: null`
 *   (sandboxed frames, `file:` pages) is refused.
 * - A bearer token or `?token=` anywhere in the request: unaffected. Devices, panels and API
 *   clients present those, and a forged page cannot attach them.
 */
import { MarqueeError } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import { credentialsFromRequest, type RequestCredentials } from './auth/request';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const BASE = 'http://localhost';

/** Whether an Origin may use the cookie on a request sent to `host`. */
export type OriginCheck = (origin: string | undefined, host: string) => boolean;

/** The check for a server that trusts `corsOrigins` besides its own origin. */
export function createOriginCheck(corsOrigins: readonly string[]): OriginCheck {
  const listed = new Set(corsOrigins.filter((o) => o !== '*').map((o) => o.toLowerCase()));
  return (origin, host) => {
    if (origin === undefined) return true;
    if (listed.has(origin.toLowerCase())) return true;
    if (!URL.canParse(origin) || host === '') return false;
    const from = new URL(origin);
    if (from.protocol !== 'http:' && from.protocol !== 'https:') return false;
    // Parsed under the Origin's scheme, so `host:80` and `host` compare equal for http.
    const own = `${from.protocol}//${host}`;
    return URL.canParse(own) && new URL(own).host === from.host;
  };
}

/** True when the session cookie is the request's only credential (the one CSRF can ride). */
export function cookieOnly(creds: RequestCredentials): boolean {
  return creds.cookie !== undefined && creds.bearer === undefined && creds.query === undefined;
}

/** The 403 a refused request gets (in its surface's error shape). */
export function crossOriginRefusal(): MarqueeError {
  return new MarqueeError(
    'FORBIDDEN',
    'Cross-origin request refused: this origin may not use the session cookie (see MARQUEE_CORS_ORIGINS)',
  );
}

/** Refuses cookie-authenticated state-changing requests from foreign origins (403). */
export function registerOriginCheck(app: FastifyInstance, corsOrigins: readonly string[]): void {
  const allowed = createOriginCheck(corsOrigins);
  app.addHook('onRequest', (request, _reply, done) => {
    if (STATE_CHANGING.has(request.method)) {
      const url = URL.canParse(request.url, BASE) ? new URL(request.url, BASE) : undefined;
      const creds = credentialsFromRequest(request.headers, url);
      if (cookieOnly(creds) && !allowed(request.headers.origin, request.host)) {
        done(crossOriginRefusal());
        return;
      }
    }
    done();
  });
}
