/**
 * The kiosk "Now Playing" page, built on the SDK's browser panel client: live sessions with
 * poster, title, user, progress and state, system stats and the connection status. Reconnects by
 * itself (the client's backoff, online/offline awareness); progress moves smoothly between
 * snapshots using the server's `position_at_ms`. A display token for servers that require one on
 * the socket comes in the URL fragment (`/#token=…`; see `displayToken`).
 */
import './zod-jitless';
import { createPanelClient, type protocol } from '@marquee/sdk';
import {
  describeFailure,
  sendControl,
  signIn,
  signOut,
  whoAmI,
  type ControlAction,
  type Viewer,
} from './controls';
import { $, connectionIndicator, displayToken } from './page';

type Snapshot = protocol.nowPlaying.Snapshot;
type Session = protocol.nowPlaying.Session;

function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** `3d 4h`, `5h 12m`, `24m`: uptime at a glance. */
function formatUptime(totalSeconds: number): string {
  const d = Math.floor(totalSeconds / 86400);
  const h = Math.floor((totalSeconds % 86400) / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m`;
}

function formatRate(bitsPerSecond: number): string {
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let value = bitsPerSecond;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit] ?? ''}`;
}

/** Position now, interpolated from the last update while playing. */
function positionNow(session: Session, nowMs: number): number {
  if (session.state !== 'playing' || session.position_at_ms === undefined)
    return session.current_time;
  const position = session.current_time + (nowMs - session.position_at_ms) / 1000;
  return session.duration > 0 ? Math.min(position, session.duration) : position;
}

const sessionsEl = $<HTMLElement>('#sessions');
const emptyEl = $<HTMLElement>('#empty');
const template = $<HTMLTemplateElement>('#session-template');
const cards = new Map<string, HTMLElement>();
let latest: Snapshot | undefined;
let viewer: Viewer | undefined;

const setConnection = connectionIndicator();

function renderProgress(card: HTMLElement, session: Session, nowMs: number): void {
  const position = positionNow(session, nowMs);
  const percent =
    session.duration > 0
      ? Math.min(100, (position / session.duration) * 100)
      : session.progress_percent;
  const bar = $<HTMLElement>('.progress', card);
  bar.setAttribute('aria-valuenow', percent.toFixed(1));
  $<HTMLElement>('.fill', card).style.width = `${percent}%`;
  $<HTMLElement>('.time', card).textContent =
    session.duration > 0
      ? `${formatDuration(position)} / ${formatDuration(session.duration)}`
      : formatDuration(position);
}

function renderSession(session: Session, nowMs: number): HTMLElement {
  let card = cards.get(session.session_id);
  if (!card) {
    const fragment = template.content.cloneNode(true) as DocumentFragment;
    card = $<HTMLElement>('.session', fragment);
    card.dataset.sessionId = session.session_id;
    wireControls(card, session.session_id);
    cards.set(session.session_id, card);
  }
  $<HTMLElement>('.controls', card).hidden = viewer?.kind !== 'user';
  card.dataset.state = session.state;
  $<HTMLElement>('.title', card).textContent = session.title;
  $<HTMLElement>('.user', card).textContent = session.username;
  const avatar = $<HTMLImageElement>('.avatar', card);
  const avatarSrc = session.avatar_url ?? '';
  avatar.hidden = avatarSrc === '';
  if (avatar.getAttribute('src') !== avatarSrc) avatar.setAttribute('src', avatarSrc);
  $<HTMLElement>('.state', card).textContent = session.state;
  showPoster(
    $<HTMLImageElement>('.poster', card),
    session.poster_thumb ?? session.poster_url ?? '',
  );
  renderProgress(card, session, nowMs);
  return card;
}

/** Where the page fetches a poster itself: the Plex / Jellyfin relay, which needs the token. */
const RELAYED_POSTER = '/api/media/upstream-poster/';

/**
 * Shows `src` in `img`. With a display token, relayed posters are fetched with it as Bearer (an
 * `<img>` cannot send one, and the relay needs it where the socket does) and shown as a blob: URL,
 * revoked when the card shows another; other images load as they are.
 */
function showPoster(img: HTMLImageElement, src: string): void {
  if (img.dataset.src === src) return;
  img.dataset.src = src;
  const previous = img.getAttribute('src');
  if (previous?.startsWith('blob:')) URL.revokeObjectURL(previous);
  if (token === undefined || !src.startsWith(RELAYED_POSTER)) {
    img.setAttribute('src', src);
    return;
  }
  img.removeAttribute('src');
  fetch(src, { headers: { authorization: `Bearer ${token}` } })
    .then((res) => (res.ok ? res.blob() : undefined))
    .then(
      (blob) => {
        if (blob !== undefined && img.dataset.src === src) {
          img.setAttribute('src', URL.createObjectURL(blob));
        }
      },
      () => undefined, // no poster this time; the next snapshot with another one tries again
    );
}

function renderSystem(system: Snapshot['system']): void {
  const set = (key: string, text: string) => {
    $<HTMLElement>(`[data-stat="${key}"]`).textContent = text;
  };
  set('cpu', `${system.cpu_percent.toFixed(0)} %`);
  set('temp', system.cpu_temp === null ? 'n/a' : `${system.cpu_temp.toFixed(0)} °C`);
  set('ram', `${system.ram_percent.toFixed(0)} %`);
  set('disk', `${system.disk_percent.toFixed(0)} %`);
  set('down', formatRate(system.network_down_bps));
  set('up', formatRate(system.network_up_bps));
  set('load', system.load_avg.toFixed(2));
  set('uptime', formatUptime(system.uptime_seconds));
}

function render(snapshot: Snapshot): void {
  latest = snapshot;
  const nowMs = Date.now();
  const seen = new Set<string>();
  for (const session of snapshot.sessions) {
    seen.add(session.session_id);
    const card = renderSession(session, nowMs);
    if (card.parentElement !== sessionsEl) sessionsEl.append(card);
  }
  for (const [id, card] of cards) {
    if (!seen.has(id)) {
      card.remove();
      cards.delete(id);
    }
  }
  emptyEl.hidden = snapshot.sessions.length > 0;
  renderSystem(snapshot.system);
}

function wireControls(card: HTMLElement, sessionId: string): void {
  const feedback = $<HTMLElement>('.feedback', card);
  for (const button of card.querySelectorAll<HTMLButtonElement>('[data-action]')) {
    button.addEventListener('click', () => {
      const action = button.dataset.action as ControlAction;
      const buttons = card.querySelectorAll<HTMLButtonElement>('[data-action]');
      buttons.forEach((b) => (b.disabled = true));
      feedback.dataset.kind = 'pending';
      feedback.textContent = `Sending ${action}…`;
      sendControl(sessionId, action)
        .then(
          () => {
            feedback.dataset.kind = 'ok';
            feedback.textContent = `${action[0]?.toUpperCase() ?? ''}${action.slice(1)} acknowledged`;
          },
          (error: unknown) => {
            feedback.dataset.kind = 'error';
            feedback.textContent = describeFailure(error);
          },
        )
        .finally(() => buttons.forEach((b) => (b.disabled = false)));
    });
  }
}

const signInForm = $<HTMLFormElement>('#sign-in');
const signInToggle = $<HTMLButtonElement>('#sign-in-toggle');
const signOutButton = $<HTMLButtonElement>('#sign-out');
const signedIn = $<HTMLElement>('#signed-in');

function setViewer(next: Viewer | undefined): void {
  viewer = next;
  const user = next?.kind === 'user';
  signedIn.hidden = !user;
  signedIn.textContent = user ? `Signed in as ${next.username ?? ''}` : '';
  signInToggle.hidden = user;
  signOutButton.hidden = !user;
  if (user) signInForm.hidden = true;
  for (const card of cards.values()) $<HTMLElement>('.controls', card).hidden = !user;
}

signInToggle.addEventListener('click', () => {
  signInForm.hidden = !signInForm.hidden;
});
signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const field = (name: string) =>
    signInForm.querySelector<HTMLInputElement>(`input[name="${name}"]`)?.value ?? '';
  const error = $<HTMLElement>('.error', signInForm);
  error.textContent = '';
  signIn(field('username'), field('password')).then(setViewer, (e: unknown) => {
    error.textContent = describeFailure(e);
  });
});
signOutButton.addEventListener('click', () => {
  signOut().then(
    () => setViewer(undefined),
    () => setViewer(undefined),
  );
});
whoAmI().then(setViewer, () => setViewer(undefined));

// A display token (`/#token=…`) opens the socket where MARQUEE_NOW_PLAYING_WS_AUTH=token.
const token = displayToken();
const client = createPanelClient({
  baseUrl: window.location.origin,
  ...(token === undefined ? {} : { token: () => token }),
});
client.on('snapshot', render);
client.on('state', ({ state }) => setConnection(state));
setConnection(client.state);
client.connect();

// Smooth progress between the 2 s snapshots.
setInterval(() => {
  if (!latest) return;
  const nowMs = Date.now();
  for (const session of latest.sessions) {
    const card = cards.get(session.session_id);
    if (card) renderProgress(card, session, nowMs);
  }
}, 1000);
