/**
 * Seed 003's route and channel table. Every route needs credentials (the seed's Authelia Bearer
 * token): reads take a display token scoped `monitoring` or a viewer, changes an operator. The seed's limit of 100 requests per minute per IP covers the whole API: every route
 * carries it with one shared bucket; beyond it the answer is 429 `RATE_LIMITED` with
 * `Retry-After`.
 */
import {
  defineChannel,
  defineRoute,
  defineSurface,
  response,
  type RateLimitDef,
  type ResponseDef,
} from '../common';
import {
  AlertList,
  AlertSettings,
  AlertsQuery,
  TestNotificationRequest,
  TestNotificationResponse,
} from './alerts';
import { MonitoringError, monitoringErrorShape } from './errors';
import { ContainerLogList, ContainerLogsQuery, LogList, LogsQuery } from './logs';
import { MonitoringServerMessage } from './messages';
import { CurrentMetrics, MetricsHistory, MetricsHistoryQuery } from './metrics';
import { RestartResponse, ServiceHealthList, ServiceList, ServiceNameParams } from './services';
import { SystemConfig, SystemStatus } from './system';

const error = (description: string): ResponseDef => response(description, MonitoringError);

/** Errors every route can answer. */
const commonErrors = {
  401: error('`UNAUTHORIZED`: missing or invalid token'),
  403: error('`FORBIDDEN`: the user may not use this route'),
  429: error('`RATE_LIMITED`: more than 100 requests per minute from this address'),
  500: error('`INTERNAL`: unexpected server error'),
} as const;
/** Seed 003's "Rate Limiting": 100 requests per minute per IP address, all routes together. */
const rateLimit: RateLimitDef = { max: 100, windowSeconds: 60, per: 'ip', bucket: 'monitoring' };
const dockerUnavailable = error(
  '`DOCKER_UNAVAILABLE`: the configured Docker Engine did not answer or refused',
);
const badRequest = error('`BAD_REQUEST`: invalid query or body; `details` lists the issues');

export const monitoringRoutes = [
  defineRoute({
    id: 'monitoring.status',
    method: 'GET',
    path: '/api/v1/status',
    summary: 'Current system status and resource usage',
    auth: 'display',
    rateLimit,
    responses: { 200: response('System status', SystemStatus), ...commonErrors },
  }),
  defineRoute({
    id: 'monitoring.getConfig',
    method: 'GET',
    path: '/api/v1/config',
    summary: 'Current system configuration',
    auth: 'display',
    rateLimit,
    responses: { 200: response('The configuration', SystemConfig), ...commonErrors },
  }),
  defineRoute({
    id: 'monitoring.putConfig',
    method: 'PUT',
    path: '/api/v1/config',
    summary: 'Replace the system configuration',
    auth: 'operator',
    rateLimit,
    body: SystemConfig,
    bodyKind: 'json',
    responses: {
      200: response('The configuration as saved', SystemConfig),
      400: badRequest,
      ...commonErrors,
    },
  }),
  defineRoute({
    id: 'monitoring.services',
    method: 'GET',
    path: '/api/v1/services',
    summary: 'All services and their status',
    auth: 'display',
    rateLimit,
    responses: {
      200: response('The services', ServiceList),
      ...commonErrors,
      503: dockerUnavailable,
    },
  }),
  defineRoute({
    id: 'monitoring.servicesHealth',
    method: 'GET',
    path: '/api/v1/services/health',
    summary: 'Detailed health of every service',
    auth: 'display',
    rateLimit,
    responses: {
      200: response('Service health', ServiceHealthList),
      ...commonErrors,
      503: dockerUnavailable,
    },
  }),
  defineRoute({
    id: 'monitoring.restartService',
    method: 'POST',
    path: '/api/v1/services/{name}/restart',
    summary: 'Restart one service',
    auth: 'operator',
    rateLimit,
    params: ServiceNameParams,
    bodyKind: 'none',
    responses: {
      200: response('The restart was issued', RestartResponse),
      ...commonErrors,
      403: error(
        '`FORBIDDEN`: the user may not restart; `RESTART_NOT_ALLOWED`: the service is not on the restart allow-list',
      ),
      404: error('`SERVICE_NOT_FOUND`: no such service; `details` lists the available ones'),
      409: error(
        '`RESTART_UNSUPPORTED`: no Docker Engine is configured; `CONTAINER_NOT_FOUND`: Docker has no container of that name',
      ),
      503: dockerUnavailable,
    },
  }),
  defineRoute({
    id: 'monitoring.serviceLogs',
    method: 'GET',
    path: '/api/v1/services/{name}/logs',
    summary: "A service's container log from Docker, newest first",
    auth: 'viewer',
    rateLimit,
    params: ServiceNameParams,
    query: ContainerLogsQuery,
    responses: {
      200: response('The newest lines', ContainerLogList),
      400: badRequest,
      ...commonErrors,
      404: error('`SERVICE_NOT_FOUND`: no such service; `details` lists the available ones'),
      409: error(
        '`LOGS_UNSUPPORTED`: no Docker Engine is configured; `CONTAINER_NOT_FOUND`: Docker has no container of that name',
      ),
      503: dockerUnavailable,
    },
    extension: true,
  }),
  defineRoute({
    id: 'monitoring.metricsCurrent',
    method: 'GET',
    path: '/api/v1/metrics/current',
    summary: 'Current system metrics snapshot',
    auth: 'display',
    rateLimit,
    responses: { 200: response('The current sample', CurrentMetrics), ...commonErrors },
  }),
  defineRoute({
    id: 'monitoring.metricsHistory',
    method: 'GET',
    path: '/api/v1/metrics/history',
    summary: 'Historical system metrics between two times at a resolution',
    auth: 'display',
    rateLimit,
    query: MetricsHistoryQuery,
    responses: {
      200: response('Points from start to end', MetricsHistory),
      400: badRequest,
      ...commonErrors,
    },
  }),
  defineRoute({
    id: 'monitoring.alerts',
    method: 'GET',
    path: '/api/v1/alerts',
    summary: 'System alerts, newest first',
    auth: 'display',
    rateLimit,
    query: AlertsQuery,
    responses: {
      200: response('Matching alerts', AlertList),
      400: badRequest,
      ...commonErrors,
    },
  }),
  defineRoute({
    id: 'monitoring.getAlertSettings',
    method: 'GET',
    path: '/api/v1/alerts/settings',
    summary: 'Current alert thresholds and notification settings',
    auth: 'display',
    rateLimit,
    responses: { 200: response('The alert settings', AlertSettings), ...commonErrors },
    extension: true,
  }),
  defineRoute({
    id: 'monitoring.updateAlertSettings',
    method: 'POST',
    path: '/api/v1/alerts/settings',
    summary: 'Replace the alert thresholds and notification settings',
    auth: 'operator',
    rateLimit,
    body: AlertSettings,
    bodyKind: 'json',
    responses: {
      200: response('The alert settings as saved', AlertSettings),
      400: badRequest,
      ...commonErrors,
    },
  }),
  defineRoute({
    id: 'monitoring.testNotification',
    method: 'POST',
    path: '/api/v1/alerts/test',
    summary:
      'Send a test alert of a level to every notification channel that level routes to, once each',
    auth: 'admin',
    rateLimit,
    body: TestNotificationRequest,
    bodyKind: 'json',
    responses: {
      200: response('Each channel tried and its outcome', TestNotificationResponse),
      400: badRequest,
      ...commonErrors,
    },
    extension: true,
  }),
  defineRoute({
    id: 'monitoring.logs',
    method: 'GET',
    path: '/api/v1/logs',
    summary: 'System logs, newest first',
    auth: 'display',
    rateLimit,
    query: LogsQuery,
    responses: {
      200: response('Matching log entries', LogList),
      400: badRequest,
      ...commonErrors,
    },
  }),
] as const;

export const monitoringChannels = [
  defineChannel({
    id: 'monitoring.ws',
    path: '/monitoring',
    summary:
      'Live metrics, new alerts and service status changes. The seed connects to ws://localhost:3001/monitoring; Marquee serves the path on its main port.',
    auth: 'display',
    serverMessages: MonitoringServerMessage,
  }),
] as const;

export const monitoringSurface = defineSurface({
  name: 'monitoring',
  title: 'Homelab Monitoring',
  seed: '003_e37748172b75a64d.txt',
  description:
    'Status, configuration, services, metrics history, alerts and logs of a self-hosted media server.',
  errorShape: monitoringErrorShape,
  routes: monitoringRoutes,
  channels: monitoringChannels,
});
