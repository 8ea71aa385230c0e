/**
 * `marquee-sim panel`: a fleet of simulated ESP32 Now Playing panels against a Marquee server, for
 * load runs and CI. Each panel is a `PanelSimulator` (the firmware's limits, reconnect and
 * heartbeat policy). A live status line on a terminal, plain lines elsewhere, a summary at the
 * end; the exit code is 1 when any panel failed: not live at the end, or it refused a frame (the
 * server sent something the device cannot take).
 */
import { parseArgs } from 'node:util';
import { PANEL_LIMITS } from '../panel/limits';
import { PanelSimulator, channelUrl } from '../panel/panel-simulator';
import { ExitCodes, type Command } from './command';
import { formatElapsed, waitForStopSignal } from './run-control';
import { StatusLine } from './status-line';

const MAX_PANELS = 100_000;
/** Plain output: one progress line this often. */
const PLAIN_EVERY_MS = 5000;
/** Individual panel events printed before the rest are only counted. */
const MAX_EVENT_LINES = 20;

const USAGE = `Usage: marquee-sim panel --server URL [options]

Simulated ESP32 Now Playing panels: each subscribes to the compact profile like the
reference firmware (limits from firmware/esp32/limits.json: ${PANEL_LIMITS.jsonBudgetBytes}-byte frames,
heartbeat ${PANEL_LIMITS.heartbeatIntervalMs} ms ping / ${PANEL_LIMITS.heartbeatPongTimeoutMs} ms pong timeout / ${PANEL_LIMITS.heartbeatMaxMisses} misses, reconnect
${PANEL_LIMITS.reconnectIntervalMs} ms up to ${PANEL_LIMITS.reconnectMaxMs} ms with full jitter). Exits 1 when a panel failed:
not live at the end, or it refused a frame.

Options:
  --server URL      the Marquee server, e.g. http://127.0.0.1:8000 (required)
  --count N         panels to run, 1-${MAX_PANELS} (default 1)
  --token T         display token sent on the socket (servers with
                    MARQUEE_NOW_PLAYING_WS_AUTH=token)
  --duration S      stop after S seconds (default: run until Ctrl+C)
  --ramp S          spread the panels' first connects over S seconds (default 0)
  -h, --help        this help
`;

class UsageError extends Error {}

interface Options {
  readonly server: string;
  readonly count: number;
  readonly token: string | undefined;
  readonly durationMs: number | undefined;
  readonly rampMs: number;
}

function seconds(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(value)) {
    throw new UsageError(`--${name} must be a number of seconds, not "${text}"`);
  }
  return Math.round(value * 1000);
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      server: { type: 'string' },
      count: { type: 'string' },
      token: { type: 'string' },
      duration: { type: 'string' },
      ramp: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.server === undefined) throw new UsageError('--server is required');
  try {
    const url = new URL(values.server);
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) throw new Error();
  } catch {
    throw new UsageError(`--server must be an http(s):// URL, not "${values.server}"`);
  }
  const countText = values.count ?? '1';
  const count = Number(countText);
  if (!/^\d+$/.test(countText) || count < 1 || count > MAX_PANELS) {
    throw new UsageError(
      `--count must be a whole number from 1 to ${MAX_PANELS}, not "${countText}"`,
    );
  }
  const server = values.server.replace(/^ws(s?):/, 'http$1:');
  return {
    server,
    count,
    token: values.token,
    durationMs: seconds('duration', values.duration),
    rampMs: seconds('ramp', values.ramp) ?? 0,
  };
}

interface Totals {
  live: number;
  frames: number;
  rejected: number;
  drops: number;
  connects: number;
  errors: number;
  maxFrameBytes: number;
}

function totals(panels: readonly PanelSimulator[]): Totals {
  const sum: Totals = {
    live: 0,
    frames: 0,
    rejected: 0,
    drops: 0,
    connects: 0,
    errors: 0,
    maxFrameBytes: 0,
  };
  for (const panel of panels) {
    const s = panel.stats;
    if (s.state === 'live') sum.live += 1;
    sum.frames += s.framesOk;
    sum.rejected += s.rejected;
    sum.drops += s.drops;
    sum.connects += s.connects;
    sum.errors += s.errors;
    sum.maxFrameBytes = Math.max(sum.maxFrameBytes, s.maxFrameBytes);
  }
  return sum;
}

async function run(argv: readonly string[]): Promise<number> {
  let options: Options;
  try {
    const parsed = parseOptions(argv);
    if (parsed === 'help') {
      process.stdout.write(USAGE);
      return ExitCodes.ok;
    }
    options = parsed;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`marquee-sim panel: ${message}\n\n${USAGE}`);
    return ExitCodes.usage;
  }

  const status = new StatusLine(process.stdout);
  let eventLines = 0;
  let eventsSuppressed = 0;
  const event = (line: string) => {
    if (eventLines < MAX_EVENT_LINES) {
      eventLines += 1;
      status.log(line);
    } else {
      eventsSuppressed += 1;
    }
  };

  process.stdout.write(
    `${options.count} panel${options.count === 1 ? '' : 's'} → ${channelUrl(options.server, undefined)}\n`,
  );
  const panels: PanelSimulator[] = [];
  const rampTimers: ReturnType<typeof setTimeout>[] = [];
  for (let i = 0; i < options.count; i++) {
    const panel = new PanelSimulator({
      server: options.server,
      name: `panel-${i + 1}`,
      receivedLimit: 1,
      ...(options.token === undefined ? {} : { token: options.token }),
    });
    panel.onReject((frame) => {
      event(
        `${panel.name}: refused a ${frame.bytes}-byte frame (${frame.error ?? '?'} at ${frame.field ?? '$'})`,
      );
    });
    panel.onState((state) => {
      if (state !== 'waiting') return;
      const s = panel.stats;
      const retry = ((s.lastRetryDelayMs ?? 0) / 1000).toFixed(1);
      const what = s.connects === 0 ? 'cannot connect' : 'disconnected';
      event(`${panel.name}: ${what} (${s.lastClose ?? 'closed'}), retry in ${retry} s`);
    });
    panels.push(panel);
    const delay = options.count > 1 ? (options.rampMs * i) / (options.count - 1) : 0;
    if (delay === 0) panel.start();
    else rampTimers.push(setTimeout(() => panel.start(), delay));
  }

  const started = Date.now();
  let lastFrames = 0;
  let lastAt = started;
  let lastPlain = started;
  const refresh = (force = false) => {
    const now = Date.now();
    const sum = totals(panels);
    const delivered = sum.frames + sum.rejected;
    const rate = now > lastAt ? ((delivered - lastFrames) * 1000) / (now - lastAt) : 0;
    lastFrames = delivered;
    lastAt = now;
    const line =
      `${formatElapsed(now - started)}  live ${sum.live}/${options.count} · ${rate.toFixed(1)} msg/s` +
      ` · rejected ${sum.rejected} · drops ${sum.drops} · errors ${sum.errors}`;
    if (status.live) status.update(line);
    else if (force || now - lastPlain >= PLAIN_EVERY_MS) {
      lastPlain = now;
      status.log(line);
    }
  };
  const timer = setInterval(refresh, 500);

  const stopSignal = waitForStopSignal();
  let reason: string;
  if (options.durationMs === undefined) {
    reason = await stopSignal;
  } else {
    let durationTimer: ReturnType<typeof setTimeout> | undefined;
    reason = await Promise.race([
      stopSignal,
      new Promise<string>((resolve) => {
        durationTimer = setTimeout(() => resolve('duration reached'), options.durationMs);
      }),
    ]);
    clearTimeout(durationTimer);
  }
  clearInterval(timer);
  for (const t of rampTimers) clearTimeout(t);
  refresh(true);
  status.clear();

  const sum = totals(panels);
  const failed = panels
    .filter((p) => p.state !== 'live' || p.rejected > 0)
    .map((p) => ({ name: p.name, stats: p.stats }));
  await Promise.all(panels.map((p) => p.stop()));

  const lines = [
    `\nStopped (${reason}) after ${formatElapsed(Date.now() - started)}.`,
    `  panels:        ${options.count - failed.length} ok, ${failed.length} failed (${sum.live} live at the end)`,
    `  frames:        ${sum.frames} accepted, ${sum.rejected} refused; largest ${sum.maxFrameBytes} of ${PANEL_LIMITS.jsonBudgetBytes} bytes`,
    `  connections:   ${sum.connects} made, ${sum.drops} dropped`,
    `  socket errors: ${sum.errors}`,
  ];
  if (eventsSuppressed > 0) lines.push(`  (${eventsSuppressed} more panel events not shown)`);
  for (const panel of failed.slice(0, 5)) {
    const s = panel.stats;
    const why =
      s.rejected > 0
        ? `refused ${s.rejected} frame(s), last: ${s.lastError?.code ?? '?'}`
        : `${s.state}, ${s.framesOk} frames`;
    lines.push(`  failed ${panel.name}: ${why}`);
  }
  if (failed.length > 5) lines.push(`  … and ${failed.length - 5} more failed panels`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return failed.length > 0 ? ExitCodes.failure : ExitCodes.ok;
}

export const panelCommand: Command = {
  name: 'panel',
  summary: 'simulated ESP32 Now Playing panels (compact profile, firmware limits)',
  usage: USAGE,
  run,
};
