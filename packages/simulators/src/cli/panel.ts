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
import type { Command } from './command';
import { finishFleetRun, humanOutput } from './json-report';
import { FLEET_OPTIONS, fleetOptions, parseCommandLine, type FleetOptions } from './options';
import { EventLines, Progress, RateMeter } from './progress';
import { Ramp, formatElapsed, waitForStop } from './run-control';
import { StatusLine } from './status-line';

const MAX_PANELS = 100_000;

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
  --junit FILE      also write the run as a JUnit XML report: one test per panel
  --json FILE       also write the run as a JSON report (counters, one result per
                    panel); FILE - prints it on stdout and the summary on stderr
  -h, --help        this help
`;

interface Options extends FleetOptions {
  readonly token: string | undefined;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: { ...FLEET_OPTIONS, token: { type: 'string' } },
  });
  if (values.help) return 'help';
  return { ...fleetOptions(values, MAX_PANELS), token: values.token };
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

/** Why a panel failed the run (not live at the end, or it refused a frame); undefined if it did not. */
function panelFailure(panel: PanelSimulator): string | undefined {
  const s = panel.stats;
  if (s.rejected > 0) return `refused ${s.rejected} frame(s), last: ${s.lastError?.code ?? '?'}`;
  if (s.state !== 'live') return `${s.state}, ${s.framesOk} frames`;
  return undefined;
}

async function run(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandLine('panel', USAGE, () => parseOptions(argv));
  if (!('options' in parsed)) return parsed.exitCode;
  const { options } = parsed;

  const out = humanOutput(options.jsonPath);
  const status = new StatusLine(out);
  const events = new EventLines(status);

  out.write(
    `${options.count} panel${options.count === 1 ? '' : 's'} → ${channelUrl(options.server, undefined)}\n`,
  );
  const panels: PanelSimulator[] = [];
  const ramp = new Ramp(options.count, options.rampMs);
  for (let i = 0; i < options.count; i++) {
    const panel = new PanelSimulator({
      server: options.server,
      name: `panel-${i + 1}`,
      receivedLimit: 1,
      ...(options.token === undefined ? {} : { token: options.token }),
    });
    panel.onReject((frame) => {
      events.add(
        `${panel.name}: refused a ${frame.bytes}-byte frame (${frame.error ?? '?'} at ${frame.field ?? '$'})`,
      );
    });
    panel.onState((state) => {
      if (state !== 'waiting') return;
      const s = panel.stats;
      const retry = ((s.lastRetryDelayMs ?? 0) / 1000).toFixed(1);
      const what = s.connects === 0 ? 'cannot connect' : 'disconnected';
      events.add(`${panel.name}: ${what} (${s.lastClose ?? 'closed'}), retry in ${retry} s`);
    });
    panels.push(panel);
    ramp.start(i, () => panel.start());
  }

  const startedAt = new Date();
  const started = startedAt.getTime();
  const rate = new RateMeter();
  const progress = new Progress(status, () => {
    const sum = totals(panels);
    const perSecond = rate.sample(sum.frames + sum.rejected);
    return (
      `${formatElapsed(Date.now() - started)}  live ${sum.live}/${options.count} · ${perSecond.toFixed(1)} msg/s` +
      ` · rejected ${sum.rejected} · drops ${sum.drops} · errors ${sum.errors}`
    );
  }).start();

  const reason = await waitForStop(options.durationMs);
  ramp.cancel();
  progress.finish();

  const sum = totals(panels);
  const durationMs = Date.now() - started;
  const cases = panels.map((p) => ({ name: p.name, failure: panelFailure(p) }));
  const failed = cases.filter((c) => c.failure !== undefined);
  await Promise.all(panels.map((p) => p.stop()));

  const lines = [
    `\nStopped (${reason}) after ${formatElapsed(durationMs)}.`,
    `  panels:        ${options.count - failed.length} ok, ${failed.length} failed (${sum.live} live at the end)`,
    `  frames:        ${sum.frames} accepted, ${sum.rejected} refused; largest ${sum.maxFrameBytes} of ${PANEL_LIMITS.jsonBudgetBytes} bytes`,
    `  connections:   ${sum.connects} made, ${sum.drops} dropped`,
    `  socket errors: ${sum.errors}`,
  ];
  if (events.suppressed > 0) lines.push(`  (${events.suppressed} more panel events not shown)`);
  for (const { name, failure } of failed.slice(0, 5)) lines.push(`  failed ${name}: ${failure}`);
  if (failed.length > 5) lines.push(`  … and ${failed.length - 5} more failed panels`);
  const run = {
    command: 'panel',
    startedAt,
    durationMs,
    stopReason: reason,
    cases,
    totals: { ...sum },
  };
  return finishFleetRun(options, run, lines);
}

export const panelCommand: Command = {
  name: 'panel',
  summary: 'simulated ESP32 Now Playing panels (compact profile, firmware limits)',
  usage: USAGE,
  run,
};
