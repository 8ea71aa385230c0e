/**
 * Notifications read from the difference between two polls of an upstream: a qBittorrent torrent
 * that reached 100 % (or went into an error state) is `download_completed` (`download_failed`);
 * an Overseerr request that was waiting and is now approved (or processing) is
 * `request_approved` (Marquee's addition to the seed's types), one whose media became available
 * `request_completed`, one declined or failed `request_failed`. The first poll only sets the baseline: nothing that was already done
 * before Marquee looked is announced.
 */
import type { protocol } from '@marquee/sdk';
import {
  QBIT_ERROR_STATES,
  overseerrUserName,
  type MediaUpstream,
  type OverseerrSummary,
  type QbittorrentSummary,
} from '../../integrations/media';
import { activityType } from './stats';

export interface ObservedEvent {
  readonly type: protocol.mediaStack.NotificationType;
  readonly title: string;
  readonly message: string;
  readonly priority: protocol.mediaStack.NotificationPriority;
  readonly data: Record<string, unknown>;
}

function downloads(before: QbittorrentSummary, after: QbittorrentSummary): ObservedEvent[] {
  const was = new Map(before.torrents.map((t) => [t.hash, t]));
  const events: ObservedEvent[] = [];
  for (const torrent of after.torrents) {
    const old = was.get(torrent.hash);
    if (!old) continue;
    if (old.progress < 1 && torrent.progress >= 1) {
      events.push({
        type: 'download_completed',
        title: 'Download Completed',
        message: `'${torrent.name}' finished downloading.`,
        priority: 'normal',
        data: { downloadId: torrent.hash, mediaTitle: torrent.name, client: 'qbittorrent' },
      });
    } else if (!QBIT_ERROR_STATES.has(old.state) && QBIT_ERROR_STATES.has(torrent.state)) {
      events.push({
        type: 'download_failed',
        title: 'Download Failed',
        message: `'${torrent.name}' stopped with qBittorrent state ${torrent.state}.`,
        priority: 'high',
        data: { downloadId: torrent.hash, mediaTitle: torrent.name, error: torrent.state },
      });
    }
  }
  return events;
}

function requests(before: OverseerrSummary, after: OverseerrSummary): ObservedEvent[] {
  const was = new Map(before.recent.map((r) => [r.request.id, activityType(r)]));
  const events: ObservedEvent[] = [];
  for (const entry of after.recent) {
    const old = was.get(entry.request.id);
    const now = activityType(entry);
    if (old === undefined || old === now) continue;
    const title = entry.title ?? `request ${entry.request.id}`;
    const user = overseerrUserName(entry.request.requestedBy);
    const data = {
      requestId: `request-${entry.request.id}`,
      mediaTitle: title,
      mediaType: entry.request.type,
      user,
    };
    if (
      old === 'request_submitted' &&
      (now === 'request_approved' || now === 'request_processing')
    ) {
      events.push({
        type: 'request_approved',
        title: 'Request Approved',
        message: `The request for '${title}' by ${user} was approved.`,
        priority: 'low',
        data,
      });
    } else if (now === 'request_completed') {
      events.push({
        type: 'request_completed',
        title: 'Request Completed',
        message: `The request for '${title}' by ${user} is now available.`,
        priority: 'normal',
        data,
      });
    } else if (now === 'request_failed') {
      events.push({
        type: 'request_failed',
        title: 'Request Failed',
        message: `The request for '${title}' by ${user} was declined or failed.`,
        priority: 'normal',
        data,
      });
    }
  }
  return events;
}

/** Events between the previous poll's value (undefined on the first) and this one. */
export function observedEvents(
  upstream: MediaUpstream,
  before: unknown,
  after: unknown,
): ObservedEvent[] {
  if (before === undefined) return [];
  if (upstream.name === 'qbittorrent') {
    return downloads(before as QbittorrentSummary, after as QbittorrentSummary);
  }
  if (upstream.name === 'overseerr') {
    return requests(before as OverseerrSummary, after as OverseerrSummary);
  }
  return [];
}
