/**
 * A simulated ESP32 Now Playing panel (the reference firmware in firmware/esp32, on a real
 * socket): it subscribes to `WS /api/dashboard/ws?profile=compact` with the firmware's reconnect
 * and heartbeat policy (connection.ts), parses every frame with the firmware's rules and limits
 * (frame.ts, limits from firmware/esp32/limits.json), interpolates progress between frames,
 * presses pause / resume / stop over HTTP like the touch buttons (commands.ts), and says what its
 * 480×320 screen shows as text (screen.ts).
 *
 *   const panel = new PanelSimulator({ server: 'http://127.0.0.1:8000', controlToken }).start();
 *   panel.onSnapshot((frame) => console.log(frame.sessions.length));
 *   panel.screenText();            // "NOW PLAYING  1/1\n▶ The Matrix — John  40:02/1:40:00\n…"
 *   await panel.press('pause');    // the selected session
 *   panel.dropConnection();        // fault: the link drops; the policy reconnects
 *   panel.freeze(); panel.unfreeze();
 *   panel.received; panel.rejected; panel.stats;
 *   await panel.stop();
 *
 * Scripting: `onSnapshot` sees each accepted frame, `onReject` each refused one, `onState` each
 * connection state, and `onCommand` each press before it goes out (return an outcome to answer it
 * without the server). `received` logs the latest frames (accepted or not).
 *
 * To extend: a new device limit goes into firmware/esp32/limits.json (and its generator's key
 * list) and the schema in limits.ts; a new frame rule into frame.ts with the firmware's error
 * text; a new fault switch is a method here that acts on `#connection` (connection.ts owns the
 * socket and its timers). A PNG of the screen is not drawn: rendering the panel's LVGL layout
 * faithfully would need its fonts and widgets, and an approximation would only look like a check.
 */
import { randomUUID } from 'node:crypto';
import { addHook } from '../hooks';
import { describeCommand, sendCommand, type CommandOutcome, type PanelAction } from './commands';
import { PanelConnection } from './connection';
import { FrameErrors, parsePanelFrame, type FrameErrorCode, type PanelFrame } from './frame';
import { PANEL_LIMITS, type PanelLimits } from './limits';
import {
  PANEL_PAGES,
  renderPage,
  sessionProgress,
  type PanelCloseReason,
  type PanelConnectionState,
  type PanelPage,
  type PanelProgress,
  type ScreenView,
} from './screen';
import type { PanelSession } from './frame';

export interface PanelSimulatorOptions {
  /** The Marquee server, e.g. `http://127.0.0.1:8000` (ws:// or wss:// follows). */
  readonly server: string;
  /**
   * Sent as `&token=` on the socket: a display token (`mqd_…`) for servers that run
   * `MARQUEE_NOW_PLAYING_WS_AUTH=token`.
   * @default undefined (the socket is open on the LAN by default)
   */
  readonly token?: string;
  /**
   * A user's access token for pause / resume / stop (display tokens cannot control playback).
   * @default undefined (presses fail with NO_CREDENTIALS, as on a panel without a control user)
   */
  readonly controlToken?: string;
  /**
   * Overrides of the firmware's limits (tests shrink heartbeat and backoff times).
   * @default firmware/esp32/limits.json
   */
  readonly limits?: Partial<PanelLimits>;
  /**
   * Entries kept in `received` (the newest win).
   * @default 100
   */
  readonly receivedLimit?: number;
  /** A name for logs. @default a random id */
  readonly name?: string;
  /** Local clock in ms, for progress and staleness. @default Date.now */
  readonly now?: () => number;
  /** Uniform in [0, 1) for reconnect jitter. @default Math.random */
  readonly random?: () => number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** One frame as the panel received it. */
export interface ReceivedFrame {
  /** Local ms. */
  readonly at: number;
  /** UTF-8 bytes of the frame. */
  readonly bytes: number;
  readonly text: string;
  readonly accepted: boolean;
  /** Why it was refused. */
  readonly error?: FrameErrorCode;
  readonly field?: string;
}

/** A press and what became of it. */
export interface PanelCommand {
  readonly action: PanelAction;
  readonly sessionId: string;
  /** Local ms. */
  readonly startedAt: number;
  /** undefined while pending. */
  outcome: CommandOutcome | undefined;
}

export interface PanelStats {
  readonly state: PanelConnectionState;
  /** Connections that reached `live`. */
  readonly connects: number;
  readonly drops: number;
  /** Why the last connection ended. */
  readonly lastClose: PanelCloseReason | undefined;
  /** The reconnect delay drawn last (full jitter), in ms. */
  readonly lastRetryDelayMs: number | undefined;
  readonly framesOk: number;
  readonly rejected: number;
  /** Socket errors (refused, reset, bad handshake). */
  readonly errors: number;
  readonly bytes: number;
  readonly maxFrameBytes: number;
  readonly lastError: { readonly code: FrameErrorCode; readonly field: string } | undefined;
}

type CommandHook = (
  command: Pick<PanelCommand, 'action' | 'sessionId'>,
) => CommandOutcome | undefined | Promise<CommandOutcome | undefined>;

export class PanelSimulator {
  readonly name: string;
  readonly limits: PanelLimits;
  readonly #options: PanelSimulatorOptions;
  readonly #now: () => number;
  readonly #connection: PanelConnection;
  readonly #received: ReceivedFrame[] = [];
  readonly #commands: PanelCommand[] = [];
  readonly #snapshotHooks = new Set<(frame: PanelFrame, panel: PanelSimulator) => void>();
  readonly #rejectHooks = new Set<(frame: ReceivedFrame, panel: PanelSimulator) => void>();
  readonly #stateHooks = new Set<(state: PanelConnectionState, panel: PanelSimulator) => void>();
  readonly #commandHooks = new Set<CommandHook>();
  #frame: { value: PanelFrame; receivedAt: number; bytes: number } | undefined;
  #selectedId: string | undefined;
  #page: PanelPage = 'now-playing';
  #framesOk = 0;
  #rejected = 0;
  #errors = 0;
  #bytes = 0;
  #maxFrameBytes = 0;
  #lastError: { code: FrameErrorCode; field: string } | undefined;

  constructor(options: PanelSimulatorOptions) {
    this.#options = options;
    this.name = options.name ?? `panel-${randomUUID().slice(0, 8)}`;
    this.limits = Object.freeze({ ...PANEL_LIMITS, ...options.limits });
    this.#now = options.now ?? Date.now;
    this.#connection = new PanelConnection({
      url: channelUrl(options.server, options.token),
      limits: this.limits,
      random: options.random ?? Math.random,
      onFrame: (data) => this.#onFrame(data),
      onState: (state) => {
        for (const hook of this.#stateHooks) hook(state, this);
      },
      onError: () => {
        this.#errors += 1;
      },
    });
  }

  /** Starts connecting (and keeps reconnecting until `stop()`). */
  start(): this {
    this.#connection.start();
    return this;
  }

  /** Closes the socket for good. */
  stop(): Promise<void> {
    return this.#connection.stop();
  }

  get state(): PanelConnectionState {
    return this.#connection.state;
  }

  /** The last accepted frame. */
  get frame(): PanelFrame | undefined {
    return this.#frame?.value;
  }

  /** The session the now-playing page shows. */
  get selected(): PanelSession | undefined {
    return this.#frame?.value.sessions[this.#selectedIndex()];
  }

  /** The latest frames, oldest first (at most `receivedLimit`). */
  get received(): readonly ReceivedFrame[] {
    return this.#received;
  }

  /** Frames refused (over the JSON budget, malformed, the full profile ...); the socket stays. */
  get rejected(): number {
    return this.#rejected;
  }

  /** Every press, oldest first. */
  get commands(): readonly PanelCommand[] {
    return this.#commands;
  }

  get stats(): PanelStats {
    return {
      state: this.#connection.state,
      connects: this.#connection.connects,
      drops: this.#connection.drops,
      lastClose: this.#connection.lastClose,
      lastRetryDelayMs: this.#connection.lastDelayMs,
      framesOk: this.#framesOk,
      rejected: this.#rejected,
      errors: this.#errors,
      bytes: this.#bytes,
      maxFrameBytes: this.#maxFrameBytes,
      lastError: this.#lastError,
    };
  }

  get page(): PanelPage {
    return this.#page;
  }

  showPage(page: PanelPage): void {
    this.#page = page;
  }

  /** Touch: left / right change pages (wrapping), up / down change the session on page one. */
  swipe(direction: 'left' | 'right' | 'up' | 'down'): void {
    if (direction === 'left' || direction === 'right') {
      const step = direction === 'left' ? 1 : PANEL_PAGES.length - 1;
      const index = (PANEL_PAGES.indexOf(this.#page) + step) % PANEL_PAGES.length;
      this.#page = PANEL_PAGES[index] ?? 'now-playing';
      return;
    }
    const sessions = this.#frame?.value.sessions ?? [];
    if (this.#page !== 'now-playing' || sessions.length < 2) return;
    const step = direction === 'up' ? 1 : sessions.length - 1;
    this.#selectedId = sessions[(this.#selectedIndex() + step) % sessions.length]?.id;
  }

  /** Selects the session with `id`; false when the last frame does not list it. */
  select(id: string): boolean {
    if (!this.#frame?.value.sessions.some((s) => s.id === id)) return false;
    this.#selectedId = id;
    return true;
  }

  /** Progress of `session` (the selected one by default) now, interpolated between frames. */
  progress(session: PanelSession | undefined = this.selected): PanelProgress | undefined {
    if (session === undefined) return undefined;
    return sessionProgress(session, this.#view());
  }

  /** What the screen shows on `page` (the current page by default), as text. */
  screenText(page: PanelPage = this.#page): string {
    return renderPage(this.#view(), page);
  }

  /**
   * Presses pause, resume or stop for `sessionId` (the selected session by default), like the
   * touch buttons; resolves with the command once it ended. One command at a time is the UI's
   * rule, not enforced here, so a test can overlap them.
   */
  async press(action: PanelAction, sessionId?: string): Promise<PanelCommand> {
    const target = sessionId ?? this.selected?.id;
    const command: PanelCommand = {
      action,
      sessionId: target ?? '',
      startedAt: this.#now(),
      outcome: undefined,
    };
    this.#commands.push(command);
    if (target === undefined) {
      command.outcome = { status: 'failed', code: 'NO_SESSION' };
      return command;
    }
    if (Buffer.byteLength(target) > this.limits.sessionIdBytes) {
      command.outcome = { status: 'failed', code: 'ID_TOO_LONG' };
      return command;
    }
    for (const hook of this.#commandHooks) {
      const scripted = await hook({ action, sessionId: target });
      if (scripted !== undefined) {
        command.outcome = scripted;
        return command;
      }
    }
    command.outcome = await sendCommand(
      { action, sessionId: target },
      {
        baseUrl: this.#options.server,
        token: this.#options.controlToken,
        fetch: this.#options.fetch ?? globalThis.fetch,
        limits: this.limits,
      },
    );
    return command;
  }

  /** Sees each accepted frame, after the panel took it. Returns the removal. */
  onSnapshot(hook: (frame: PanelFrame, panel: PanelSimulator) => void): () => void {
    return addHook(this.#snapshotHooks, hook);
  }

  /** Sees each refused frame. Returns the removal. */
  onReject(hook: (frame: ReceivedFrame, panel: PanelSimulator) => void): () => void {
    return addHook(this.#rejectHooks, hook);
  }

  /** Sees each connection state change. Returns the removal. */
  onState(hook: (state: PanelConnectionState, panel: PanelSimulator) => void): () => void {
    return addHook(this.#stateHooks, hook);
  }

  /**
   * Sees each press before it is sent; an outcome returned answers it instead of the server
   * (script a `PLAYER_ERROR` or a timeout). Returns the removal.
   */
  onCommand(hook: CommandHook): () => void {
    return addHook(this.#commandHooks, hook);
  }

  /** Fault: the link drops without a close frame; the firmware's policy reconnects. */
  dropConnection(): void {
    this.#connection.drop();
  }

  /**
   * Fault: the panel hangs: it reads nothing (no frames, no pongs), pings nobody and does not
   * reconnect until `unfreeze()`. The server's heartbeat should find and drop it.
   */
  freeze(): void {
    this.#connection.freeze();
  }

  unfreeze(): void {
    this.#connection.unfreeze();
  }

  get frozen(): boolean {
    return this.#connection.frozen;
  }

  #onFrame(data: Buffer): boolean {
    const at = this.#now();
    const result = parsePanelFrame(data, this.limits);
    this.#bytes += data.length;
    this.#maxFrameBytes = Math.max(this.#maxFrameBytes, data.length);
    const entry: ReceivedFrame = result.ok
      ? { at, bytes: data.length, text: data.toString('utf8'), accepted: true }
      : {
          at,
          bytes: data.length,
          text: data.toString('utf8'),
          accepted: false,
          error: result.code,
          field: result.field,
        };
    this.#received.push(entry);
    const limit = this.#options.receivedLimit ?? 100;
    if (this.#received.length > limit) this.#received.splice(0, this.#received.length - limit);
    if (!result.ok) {
      this.#rejected += 1;
      this.#lastError = { code: result.code, field: result.field };
      for (const hook of this.#rejectHooks) hook(entry, this);
      return false;
    }
    this.#framesOk += 1;
    const frame = result.frame;
    this.#frame = { value: frame, receivedAt: at, bytes: data.length };
    // The selection follows its session by id; when it went away, the first session.
    if (!frame.sessions.some((s) => s.id === this.#selectedId)) {
      this.#selectedId = frame.sessions[0]?.id;
    }
    for (const hook of this.#snapshotHooks) hook(frame, this);
    return true;
  }

  #selectedIndex(): number {
    const sessions = this.#frame?.value.sessions ?? [];
    return Math.max(
      0,
      sessions.findIndex((s) => s.id === this.#selectedId),
    );
  }

  #view(): ScreenView {
    const last = this.#commands.at(-1);
    const frame = this.#frame;
    return {
      frame: frame && { value: frame.value, receivedAt: frame.receivedAt },
      selected: this.#selectedIndex(),
      now: this.#now(),
      staleAfterMs: this.limits.staleAfterMs,
      server: new URL(this.#options.server).host,
      connection: {
        state: this.#connection.state,
        retryAt: this.#connection.retryAt,
        connects: this.#connection.connects,
        drops: this.#connection.drops,
        lastClose: this.#connection.lastClose,
      },
      framesOk: this.#framesOk,
      rejected: this.#rejected,
      lastError: this.#lastError && {
        message: FrameErrors[this.#lastError.code],
        field: this.#lastError.field,
      },
      lastFrameBytes: frame?.bytes,
      command: last && describeCommand(last.action, last.outcome),
    };
  }
}

/** `http(s)://host/prefix` → `ws(s)://host/prefix/api/dashboard/ws?profile=compact[&token=]`. */
export function channelUrl(server: string, token: string | undefined): string {
  const url = new URL(server);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/dashboard/ws`;
  url.search = '';
  url.searchParams.set('profile', 'compact');
  if (token !== undefined && token !== '') url.searchParams.set('token', token);
  url.hash = '';
  return url.toString();
}
