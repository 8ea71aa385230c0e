/**
 * Closing the HTTP server without hanging. Fastify's `forceCloseConnections: 'idle'` closes the
 * keep-alive connections that are idle at the moment `close()` starts; a request still in flight
 * then (or one that slipped in just before) leaves its connection idle afterwards, and
 * `server.close()` would wait for it forever. So while closing, idle connections are closed as
 * they appear, and whatever is still open after `graceMs` is cut.
 */
import type { FastifyInstance } from 'fastify';

export async function closeHttp(app: FastifyInstance, graceMs: number): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
  const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}
