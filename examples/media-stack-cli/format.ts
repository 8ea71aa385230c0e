/**
 * Turns the media-stack answers into terminal lines: the services with state, latency and the
 * age of their last check, the downloads, the requests and the unread notifications, each block
 * saying how old its figures are. Pure, so the program's output is easy to test and to reuse.
 */
import {
  listServices,
  type MediaStackNotification,
  type NotificationListAnswer,
  type ServiceStatusAnswer,
  type ServiceStatusChangeMessage,
  type StatsAnswer,
} from '@marquee/sdk';

/** Seconds between two ISO times as `4s`, `3m`, `2h`, `5d` (never negative). */
export function age(fromIso: string, toIso: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** `plex          up        12 ms  checked 4s ago`, and why a service is down. */
export function serviceLines(status: ServiceStatusAnswer): string[] {
  const now = status.metadata.timestamp;
  const { overall } = status.data;
  return [
    `Services: ${overall.status} (health ${Math.round(overall.healthScore)}%), figures ${status.metadata.cacheAge ?? 0}s old`,
    ...listServices(status.data).map(({ name, info }) => {
      const latency = `${Math.round(info.responseTime)} ms`.padStart(8);
      // Why a service is not up (not configured, refused credentials ...), when the server says.
      const why = info.status === 'up' ? undefined : info.alerts?.[0]?.message;
      return `  ${name.padEnd(14)}${info.status.padEnd(9)}${latency}  checked ${age(info.lastCheck, now)} ago${why === undefined ? '' : ` (${why})`}`;
    }),
  ];
}

/** Downloads and requests from the statistics, with the sources they lack. */
export function statsLines(stats: StatsAnswer): string[] {
  const { downloadActivity: downloads, overview } = stats.data;
  const lines = [
    `Downloads: ${downloads.active} active, ${downloads.queued} queued, ${downloads.totalSpeed} (figures ${stats.metadata.cacheAge ?? 0}s old)`,
    ...downloads.activeDownloads.map(
      (d) => `  ${d.title}  ${d.progress.toFixed(1)}%  ${d.speed}  eta ${d.eta}`,
    ),
    `Requests: ${overview.pendingRequests} pending, ${overview.processingRequests} processing, ${overview.totalRequests} in all`,
  ];
  for (const missing of stats.metadata.missing ?? []) lines.push(`  (no source: ${missing})`);
  return lines;
}

/** `[high] plex is down: Plex did not answer` */
export function notificationLine(n: MediaStackNotification): string {
  return `[${n.priority}] ${n.title}: ${n.message}`;
}

export function notificationLines(list: NotificationListAnswer): string[] {
  return [
    `Notifications: ${list.data.summary.unread} unread`,
    ...list.data.notifications.map((n) => `  ${notificationLine(n)}`),
  ];
}

/** `sonarr: up -> down` */
export function changeLine(change: ServiceStatusChangeMessage): string {
  return `${change.service}: ${change.previous ?? '?'} -> ${change.status}`;
}
