/**
 * CORS for browser apps served from another origin (a dashboard on its own host, a front-end dev
 * server), off unless `MARQUEE_CORS_ORIGINS` lists origins:
 *
 * - an allowed origin gets `Access-Control-Allow-Origin` echoed (with `Vary: Origin` and
 *   credentials allowed, so the session cookie works from a same-site origin); `*` in the list
 *   answers `*` to any origin, without credentials;
 * - preflights (`OPTIONS` with `Access-Control-Request-Method`) from an allowed origin are
 *   answered 204 with the methods and the requested headers, cached 10 minutes; from any other
 *   origin 204 without CORS headers, so the browser refuses the call;
 * - the download headers a media player needs (`ETag`, `Content-Range`, `Accept-Ranges`,
 *   `Content-Disposition`) are exposed.
 *
 * WebSockets are not subject to CORS; their cookie is `SameSite=Lax`, which browsers do not send
 * on a cross-site handshake, and a same-site page of another origin (another port of the same
 * host) is refused by the Origin check (origin.ts), which these listed origins also pass.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const EXPOSED = 'ETag, Content-Range, Accept-Ranges, Content-Disposition, Content-Length';

export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const any = origins.includes('*');
  const listed = new Set(origins.filter((o) => o !== '*').map((o) => o.toLowerCase()));

  /** Sets the CORS headers for `request`'s origin; false when it is not allowed. */
  const allow = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const origin = request.headers.origin;
    if (origin === undefined) return false;
    reply.header('vary', 'Origin');
    if (listed.has(origin.toLowerCase())) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
    } else if (any) {
      reply.header('access-control-allow-origin', '*');
    } else {
      return false;
    }
    reply.header('access-control-expose-headers', EXPOSED);
    return true;
  };

  app.addHook('onRequest', async (request, reply) => {
    const preflight =
      request.method === 'OPTIONS' &&
      request.headers['access-control-request-method'] !== undefined;
    const allowed = allow(request, reply);
    if (!preflight) return;
    if (allowed) {
      reply.header('access-control-allow-methods', METHODS);
      const requested = request.headers['access-control-request-headers'];
      if (requested !== undefined && requested !== '') {
        reply.header('access-control-allow-headers', requested);
      }
      reply.header('access-control-max-age', '600');
    }
    await reply.code(204).send();
  });
}
