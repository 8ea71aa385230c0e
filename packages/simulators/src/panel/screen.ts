/**
 * What the panel's 480×320 screen shows, as text: the three pages of the reference firmware
 * (firmware/esp32/README.md, "Screens"; mq_render.c) and the progress interpolation that moves the
 * bar between frames. Pure functions of a `ScreenView`, so tests can render any state.
 */
import { formatBar, formatDuration, formatRate, formatTenths } from './format';
import type { PanelFrame, PanelSession, PanelSessionState } from './frame';

/** The panel's pages, in swipe order (they wrap around). */
export const PANEL_PAGES = ['now-playing', 'system', 'network'] as const;
export type PanelPage = (typeof PANEL_PAGES)[number];

/** Where the connection stands: the firmware's states, plus `stopped` for a stopped simulator. */
export type PanelConnectionState = 'idle' | 'connecting' | 'open' | 'live' | 'waiting' | 'stopped';

/** Why the last connection ended, as the network page names it. */
export type PanelCloseReason = 'closed' | 'connect timeout' | 'no pong';

/** Progress of a session at some instant. */
export interface PanelProgress {
  /** Milliseconds into the media. */
  readonly posMs: number;
  /** Seconds; 0 when unknown. */
  readonly durS: number;
  /** 0–1000; from `pct` when the duration is unknown. */
  readonly permille: number;
  /** Whether the bar is moving (playing, not stale, not at the end). */
  readonly moving: boolean;
}

/** Everything a page is drawn from. */
export interface ScreenView {
  /** The last accepted frame and when it arrived (local ms). */
  readonly frame: { readonly value: PanelFrame; readonly receivedAt: number } | undefined;
  readonly selected: number;
  /** Local ms. */
  readonly now: number;
  readonly staleAfterMs: number;
  /** `host:port` of the server. */
  readonly server: string;
  readonly connection: {
    readonly state: PanelConnectionState;
    /** WAITING: local ms of the next attempt. */
    readonly retryAt: number | undefined;
    readonly connects: number;
    readonly drops: number;
    readonly lastClose: PanelCloseReason | undefined;
  };
  readonly framesOk: number;
  readonly rejected: number;
  readonly lastError: { readonly message: string; readonly field: string } | undefined;
  readonly lastFrameBytes: number | undefined;
  /** The last command's line (`Pausing…`, `Pause failed: PLAYER_NOT_CONNECTED`), if any. */
  readonly command: string | undefined;
}

const GLYPHS: Record<PanelSessionState, string> = {
  playing: '▶',
  paused: '⏸',
  stopped: '■',
  buffering: '↻',
  unknown: '?',
};

/** Whether no frame arrived for longer than `staleAfterMs` (or none ever did). */
export function isStale(view: Pick<ScreenView, 'frame' | 'now' | 'staleAfterMs'>): boolean {
  return view.frame === undefined || view.now - view.frame.receivedAt > view.staleAfterMs;
}

/**
 * Position of `session` at `now`: `pos + (now − ts)` while playing, clamped to the duration. Once
 * the screen is stale the clock stops at `staleAfterMs` past the last frame, as on the panel.
 */
export function sessionProgress(
  session: PanelSession,
  view: Pick<ScreenView, 'frame' | 'now' | 'staleAfterMs'>,
): PanelProgress {
  const frame = view.frame;
  let posMs = session.pos * 1000;
  const stale = isStale(view);
  if (session.state === 'playing' && frame !== undefined) {
    const until = Math.min(view.now, frame.receivedAt + view.staleAfterMs);
    posMs += Math.max(0, until - frame.value.ts * 1000);
  }
  let moving = session.state === 'playing' && !stale;
  const durMs = session.dur * 1000;
  let permille = Math.round(session.pct * 10);
  if (durMs > 0) {
    if (posMs >= durMs) {
      posMs = durMs;
      moving = false;
    }
    permille = Math.floor((posMs * 1000) / durMs);
  }
  return { posMs, durS: session.dur, permille, moving };
}

/** One page as text; lines separated by `\n`. */
export function renderPage(view: ScreenView, page: PanelPage): string {
  switch (page) {
    case 'now-playing':
      return nowPlaying(view).join('\n');
    case 'system':
      return systemPage(view).join('\n');
    case 'network':
      return networkPage(view).join('\n');
  }
}

/** The line for one session: `▶ The Matrix — John  40:02/1:40:00`. */
export function sessionLine(session: PanelSession, progress: PanelProgress): string {
  const pos = formatDuration(progress.posMs / 1000);
  const time = progress.durS > 0 ? `${pos}/${formatDuration(progress.durS)}` : pos;
  const who = session.user === '' ? '' : ` — ${session.user}`;
  return `${GLYPHS[session.state]} ${session.title}${who}  ${time}`;
}

function nowPlaying(view: ScreenView): string[] {
  const frame = view.frame?.value;
  if (frame === undefined) {
    return ['NOW PLAYING', `Waiting for ${view.server} (${view.connection.state})`];
  }
  const more = frame.more > 0 ? ` (+${frame.more} more)` : '';
  const session = frame.sessions[view.selected];
  const lines: string[] = [];
  if (session === undefined) {
    lines.push('NOW PLAYING', `Nothing playing${more}`);
  } else {
    const progress = sessionProgress(session, view);
    lines.push(
      `NOW PLAYING  ${view.selected + 1}/${frame.sessions.length}${more}`,
      sessionLine(session, progress),
      `${formatBar(progress.permille)} ${formatTenths(progress.permille / 10)}%`,
    );
    if (session.idTooLong) lines.push('controls: unavailable (id too long)');
  }
  if (view.command !== undefined) lines.push(view.command);
  if (isStale(view)) {
    const seconds = Math.floor((view.now - (view.frame?.receivedAt ?? view.now)) / 1000);
    lines.push(`stale: no update for ${seconds} s`);
  }
  return lines;
}

function systemPage(view: ScreenView): string[] {
  const frame = view.frame?.value;
  if (frame === undefined) return ['SYSTEM', 'No data yet'];
  const s = frame.system;
  const temp = s.temp === null ? 'n/a' : `${formatTenths(s.temp)} °C`;
  const lines = [
    'SYSTEM',
    `cpu ${formatTenths(s.cpu)}%  temp ${temp}`,
    `ram ${formatTenths(s.ram)}%  disk ${formatTenths(s.disk)}%`,
    `down ${formatRate(s.down)}  up ${formatRate(s.up)}`,
  ];
  if (isStale(view)) lines.push('stale');
  return lines;
}

function networkPage(view: ScreenView): string[] {
  const c = view.connection;
  let server = `server ${view.server} ${c.state}`;
  if (c.state === 'waiting' && c.retryAt !== undefined) {
    server += ` (retry in ${(Math.max(0, c.retryAt - view.now) / 1000).toFixed(1)} s)`;
  }
  const last = c.lastClose === undefined ? '' : ` (last: ${c.lastClose})`;
  let frames = `frames ${view.framesOk} ok, ${view.rejected} rejected`;
  if (view.rejected > 0 && view.lastError !== undefined) {
    frames += ` (last: ${view.lastError.message} at ${view.lastError.field})`;
  }
  const lines = ['NETWORK', server, `connections ${c.connects}, drops ${c.drops}${last}`, frames];
  if (view.lastFrameBytes !== undefined) lines.push(`last frame ${view.lastFrameBytes} bytes`);
  return lines;
}
