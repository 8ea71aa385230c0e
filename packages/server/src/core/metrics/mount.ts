/**
 * `GET /metrics` (Prometheus text format), off unless configured:
 * - MARQUEE_METRICS_TOKEN alone: served on the main port to `Authorization: Bearer <token>`;
 *   anything else gets 401.
 * - MARQUEE_METRICS_LISTEN: served only on that second address (with the token too, when one is
 *   set); the main port answers 404.
 * - neither: 404 everywhere, and nothing is counted (no registry, no hook).
 * The route is in the core route table (OpenAPI documents it) with policy `none`: the token is
 * the scraper's, not an account's, and is checked here.
 */
import { MarqueeError, protocol } from '@marquee/sdk';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { mountRoutes, type Authenticator } from '../routes';
import { listenForMetrics, type MetricsListener } from './listener';
import { createServerMetrics, type MetricsSources } from './registry';
import { checkMetricsToken, METRICS_CHALLENGE } from './token';

export interface MetricsOptions extends MetricsSources {
  readonly config: Pick<Config, 'metricsToken' | 'metricsListen'>;
  readonly authenticate: Authenticator;
  readonly logger: { error(obj: object, msg?: string): void };
}

export interface Metrics {
  /** Starts the MARQUEE_METRICS_LISTEN listener, when one is configured. */
  listen(): Promise<void>;
  /** `http://host:port` of that listener once it listens; undefined otherwise. */
  readonly listenerUrl: string | undefined;
  close(): Promise<void>;
}

const notHere = () =>
  new MarqueeError(
    'NOT_FOUND',
    'Metrics are not served on this port (MARQUEE_METRICS_TOKEN turns them on here; with MARQUEE_METRICS_LISTEN they have their own address)',
  );

/** Mounts the route; the separate listener starts with `listen()`. */
export function mountMetrics(app: FastifyInstance, options: MetricsOptions): Metrics {
  const { metricsToken: token, metricsListen: address } = options.config;
  const enabled = token !== undefined || address !== undefined;
  const metrics = enabled ? createServerMetrics(options) : undefined;

  const scrape = async (authorization: string | undefined) => {
    if (metrics === undefined) throw notHere();
    if (token !== undefined) checkMetricsToken(authorization, token);
    return { type: metrics.registry.contentType, body: await metrics.registry.metrics() };
  };

  mountRoutes(app, protocol.core.metricsRoutes, {
    surface: protocol.core.coreSurface,
    authenticate: options.authenticate,
    handlers: {
      'core.metrics': async ({ request, reply }) => {
        if (address !== undefined) throw notHere();
        try {
          const { type, body } = await scrape(request.headers.authorization);
          return reply.type(type).send(body);
        } catch (error) {
          if (error instanceof MarqueeError && error.status === 401) {
            void reply.header('www-authenticate', METRICS_CHALLENGE);
          }
          throw error;
        }
      },
    },
  });

  if (metrics !== undefined) {
    app.addHook('onResponse', async (request, reply) => {
      metrics.httpDuration.observe(
        {
          method: request.method,
          // The pattern (`/api/.../:sn_number/`), never the URL: one series per route.
          route: request.routeOptions.url ?? 'unmatched',
          status_class: `${Math.floor(reply.statusCode / 100)}xx`,
        },
        reply.elapsedTime / 1000,
      );
    });
  }

  let listener: MetricsListener | undefined;
  return {
    async listen() {
      if (address === undefined || listener !== undefined) return;
      listener = await listenForMetrics({
        ...address,
        scrape,
        onError: (error) => options.logger.error({ err: error }, 'metrics scrape failed'),
      });
    },
    get listenerUrl() {
      return listener?.url;
    },
    async close() {
      metrics?.stop();
      await listener?.close();
    },
  };
}
