/**
 * The media-stack page (`/media-stack`), built on the SDK's media-stack client (seed 001): the
 * services up, degraded or down with their latency and how long ago each was checked, downloads
 * with their progress, request counts and recent activity, and notifications, in type meant to be
 * read from across the room. Live through `/ws/dashboard`: `stats_update` redraws the figures,
 * `service_status_change` a service's tile, `new_notification` adds to the list. Every block says
 * how old its figures are; ages are counted on the server's clock (the offset to it is taken from
 * each answer's `metadata.timestamp`), so a kiosk whose own clock is wrong still reads them right.
 *
 * Credentials as the other read-only pages: `#token=` in the URL fragment (a display token scoped
 * `media-stack`; a legacy `?token=` is moved there) sent as Bearer and as the socket's `?token=`,
 * or the session cookie; a 401 shows the sign-in form (signin.ts).
 */
import './zod-jitless';
import {
  MarqueeError,
  createMediaStackClient,
  listServices,
  type DashboardStats,
  type MediaStackNotification,
  type ServiceStatusAnswer,
  type protocol,
} from '@marquee/sdk';
import { $, connectionIndicator, displayToken } from './page';
import { signInForm } from './signin';

type ServiceInfo = protocol.mediaStack.ServiceInfo;

/** Notifications kept on the page. */
const MAX_NOTIFICATIONS = 30;
/** A new status is fetched at most this often after changes (the server caches it 1 minute). */
const STATUS_REFRESH_MS = 2000;

const token = displayToken();
const client = createMediaStackClient({
  baseUrl: location.origin,
  ...(token === undefined ? {} : { token: () => token }),
});
const message = $<HTMLElement>('#message');
const setConnection = connectionIndicator({ closed: 'Signed out' });

/** Server time minus this browser's time, from the last answer. */
let skewMs = 0;
const serverNow = () => Date.now() + skewMs;
function syncClock(serverIso: string): void {
  const at = Date.parse(serverIso);
  if (Number.isFinite(at)) skewMs = at - Date.now();
}

/** `4 s`, `3 min`, `2 h`, `5 d`. */
function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((serverNow() - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

function show(error: unknown): void {
  message.hidden = false;
  message.textContent = error instanceof Error ? error.message : String(error);
}

function fromTemplate(id: string, selector: string): HTMLElement {
  const fragment = $<HTMLTemplateElement>(id).content.cloneNode(true) as DocumentFragment;
  return $<HTMLElement>(selector, fragment);
}

// ---- Services --------------------------------------------------------------------------------

const servicesEl = $<HTMLElement>('#services');
const tiles = new Map<string, { el: HTMLElement; info: ServiceInfo }>();
let statusAt: string | undefined;

function setService(name: string, info: ServiceInfo): void {
  let tile = tiles.get(name);
  if (!tile) {
    const el = fromTemplate('#service-template', '.service');
    el.dataset.service = name;
    $<HTMLElement>('.name', el).textContent = name;
    servicesEl.append(el);
    tile = { el, info };
    tiles.set(name, tile);
  }
  tile.info = info;
  tile.el.dataset.status = info.status;
  $<HTMLElement>('.status', tile.el).textContent = info.status;
  // A service that is not up says why where the server knows (not configured, refused key ...).
  const why = info.status === 'up' ? undefined : info.alerts?.[0]?.message;
  tile.el.title = why ?? '';
  $<HTMLElement>('.latency', tile.el).textContent =
    info.status === 'down' ? (why ?? 'no answer') : `${Math.round(info.responseTime)} ms`;
  tickService(tile);
}

function tickService(tile: { el: HTMLElement; info: ServiceInfo }): void {
  $<HTMLElement>('.checked', tile.el).textContent = `checked ${ago(tile.info.lastCheck)} ago`;
}

function renderStatus(answer: ServiceStatusAnswer): void {
  syncClock(answer.metadata.timestamp);
  statusAt = answer.metadata.timestamp;
  const overall = $<HTMLElement>('#overall');
  overall.dataset.status = answer.data.overall.status;
  overall.textContent = `${answer.data.overall.status} · ${Math.round(answer.data.overall.healthScore)}%`;
  for (const { name, info } of listServices(answer.data)) setService(name, info);
}

let statusTimer: ReturnType<typeof setTimeout> | undefined;
/** Fetches the status again soon (the overall figure moves with a service's change). */
function refreshStatus(): void {
  statusTimer ??= setTimeout(() => {
    statusTimer = undefined;
    client.status().then(renderStatus, show);
  }, STATUS_REFRESH_MS);
}

// ---- Statistics ------------------------------------------------------------------------------

let statsAt: string | undefined;

function renderStats(stats: DashboardStats): void {
  statsAt = stats.overview.lastUpdate;
  const downloads = stats.downloadActivity;
  $<HTMLElement>('#download-summary').textContent =
    `${downloads.active} active · ${downloads.queued} queued · ${downloads.totalSpeed} · ${downloads.todayDownloaded} today`;
  $<HTMLElement>('#no-downloads').hidden = downloads.activeDownloads.length > 0;
  const list = $<HTMLElement>('#downloads');
  list.replaceChildren(
    ...downloads.activeDownloads.map((download) => {
      const el = fromTemplate('#download-template', '.download');
      el.dataset.id = download.id;
      $<HTMLElement>('.title', el).textContent = download.title;
      const meter = $<HTMLElement>('.meter', el);
      meter.setAttribute('aria-valuenow', download.progress.toFixed(1));
      $<HTMLElement>('.fill', meter).style.width = `${Math.min(100, download.progress)}%`;
      $<HTMLElement>('.detail', el).textContent =
        `${download.progress.toFixed(1)} % · ${download.speed} · ${download.size} · eta ${download.eta}`;
      return el;
    }),
  );
  for (const [key, value] of Object.entries(stats.overview)) {
    const cell = document.querySelector<HTMLElement>(`[data-count="${key}"]`);
    if (cell) cell.textContent = String(value);
  }
  $<HTMLElement>('#activity').replaceChildren(
    ...stats.requestStats.recentActivity.slice(0, 5).map((activity) => {
      const li = document.createElement('li');
      li.textContent = `${activity.title} · ${activity.type.replace(/_/g, ' ')} · ${activity.user}`;
      return li;
    }),
  );
  tickAges();
}

function renderMissing(missing: readonly string[] | undefined): void {
  const el = $<HTMLElement>('#missing');
  el.hidden = missing === undefined || missing.length === 0;
  el.textContent = el.hidden ? '' : `No source for: ${missing?.join('; ')}`;
}

// ---- Notifications ---------------------------------------------------------------------------

const notificationsEl = $<HTMLElement>('#notifications');
let unread = 0;

function addNotification(n: MediaStackNotification, atTop: boolean): void {
  if (notificationsEl.querySelector(`[data-id="${CSS.escape(n.id)}"]`)) return;
  const el = fromTemplate('#notification-template', '.notification');
  el.dataset.id = n.id;
  el.dataset.type = n.type;
  el.dataset.priority = n.priority;
  el.dataset.read = String(n.read);
  $<HTMLElement>('.title', el).textContent = n.title;
  $<HTMLElement>('.text', el).textContent = n.message;
  const time = $<HTMLTimeElement>('time', el);
  time.dateTime = n.createdAt;
  time.textContent = `${ago(n.createdAt)} ago`;
  if (atTop) notificationsEl.prepend(el);
  else notificationsEl.append(el);
  while (notificationsEl.children.length > MAX_NOTIFICATIONS)
    notificationsEl.lastElementChild?.remove();
  $<HTMLElement>('#no-notifications').hidden = true;
}

function renderUnread(): void {
  $<HTMLElement>('#unread').textContent = `${unread} unread`;
}

// ---- Ages ------------------------------------------------------------------------------------

function tickAges(): void {
  for (const tile of tiles.values()) tickService(tile);
  if (statusAt !== undefined)
    $<HTMLElement>('#services-age').textContent = `as of ${ago(statusAt)} ago`;
  if (statsAt !== undefined)
    $<HTMLElement>('#stats-age').textContent = `figures ${ago(statsAt)} old`;
  for (const time of notificationsEl.querySelectorAll<HTMLTimeElement>('time')) {
    time.textContent = `${ago(time.dateTime)} ago`;
  }
}
setInterval(tickAges, 1000);

// ---- Start -----------------------------------------------------------------------------------

client.on('state', ({ state }) => setConnection(state));
client.on('stats_update', renderStats);
client.on('service_status_change', (change) => {
  if (change.info) setService(change.service, change.info);
  refreshStatus();
});
client.on('new_notification', (n) => {
  addNotification(n, true);
  if (!n.read) unread += 1;
  renderUnread();
});

async function start(): Promise<void> {
  try {
    const [status, stats, notifications] = await Promise.all([
      client.status(),
      client.stats(),
      client.notifications({ limit: MAX_NOTIFICATIONS }),
    ]);
    message.hidden = true;
    renderStatus(status);
    renderStats(stats.data);
    renderMissing(stats.metadata.missing);
    for (const n of notifications.data.notifications) addNotification(n, false);
    unread = notifications.data.summary.unread;
    renderUnread();
  } catch (error) {
    if (error instanceof MarqueeError && error.status === 401) {
      signin.show();
      setConnection('closed');
      return;
    }
    show(error);
    return;
  }
  client.connect();
}

const signin = signInForm(start, show);

void start();
