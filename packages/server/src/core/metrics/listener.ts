/**
 * MARQUEE_METRICS_LISTEN: a second, tiny HTTP server that answers `GET /metrics` and nothing
 * else, so a deployment can keep metrics on an internal interface (`127.0.0.1:9464`, a VPN
 * address) while the main port faces the LAN. Errors use the core's `{message, status_code,
 * code}` body, as on the main port.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MarqueeError, protocol, toMarqueeError } from '@marquee/sdk';
import { METRICS_CHALLENGE } from './token';

export interface MetricsListenerOptions {
  readonly host: string;
  readonly port: number;
  /** The exposition text; throws a MarqueeError to refuse (a wrong token). */
  readonly scrape: (authorization: string | undefined) => Promise<{ type: string; body: string }>;
  readonly onError: (error: unknown) => void;
}

export interface MetricsListener {
  /** `http://host:port` it listens on. */
  readonly url: string;
  close(): Promise<void>;
}

function sendError(res: ServerResponse, error: MarqueeError, headers: Record<string, string>) {
  const body = protocol.core.coreSurface.errorShape.render({
    status: error.status,
    code: error.code,
    message: error.message,
  });
  res.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export async function listenForMetrics(options: MetricsListenerOptions): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      return sendError(res, new MarqueeError('NOT_FOUND', `No route for ${path}`), {});
    }
    if (req.method !== 'GET') {
      const refused = new MarqueeError('BAD_REQUEST', 'Only GET /metrics', { status: 405 });
      return sendError(res, refused, { allow: 'GET' });
    }
    options.scrape(req.headers.authorization).then(
      ({ type, body }) => {
        res.writeHead(200, { 'content-type': type });
        res.end(body);
      },
      (error: unknown) => {
        if (!(error instanceof MarqueeError)) options.onError(error);
        const refusal = toMarqueeError(error);
        const status = refusal.status >= 400 && refusal.status <= 599 ? refusal.status : 500;
        const shown =
          status >= 500 ? new MarqueeError('INTERNAL', 'Internal server error') : refusal;
        sendError(res, shown, status === 401 ? { 'www-authenticate': METRICS_CHALLENGE } : {});
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // A scrape is short and can be retried: shutdown does not wait for one.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
