/**
 * The kill harness (issue 18 §3): runs `marquee start` as a child process, drives writes at it
 * (media uploads, playlist edits, commands to a device that acknowledges them, Now Playing
 * sessions played and stopped, alert settings, and the monitoring history its sampler writes and
 * rolls up while the harness queries it), SIGKILLs it at a random moment (seeded), checks the
 * data directory, starts it again and checks what it serves. Each iteration checks:
 *
 * - `PRAGMA integrity_check` is `ok` and `PRAGMA foreign_key_check` finds nothing (before the
 *   restart, on the files exactly as the kill left them);
 * - the server starts on them and answers `/healthz`;
 * - files and rows agree (after the start-up sweep): every media row's file exists with the row's
 *   size and MD5, no file in `signage/media/` without a row, nothing left in `signage/tmp/`;
 * - every upload answered 201 is there, with the MD5 of the bytes sent;
 * - every command answered 202 is stored; no command the store had as `acked` is delivered
 *   again; by the end every accepted command is acknowledged, and applied once by the device
 *   (which, like the SDK's device client, applies a `command_id` once);
 * - the playlist and the alert settings are the last acknowledged version or the one in flight
 *   at the kill, whole: never a mix, never older;
 * - every Now Playing stop answered 200 has its history row;
 * - the monitoring history: one point per (tier, bucket), none in the future, each roll-up's
 *   count, sums, minimums and maximums equal to its finer tier's, no finished minute without its
 *   roll-up, and the history query answers.
 *
 * The parts: harness-state.ts (options, model, figures), harness-process.ts (the child process),
 * harness-drivers.ts (the writes), harness-invariants.ts and kill-harness-files.ts (the checks).
 * No vitest import: `npm run faults` (scripts/faults.ts) runs it outside the test runner, and
 * test/faults/kill-harness.test.ts runs a few dozen kills in the unit suite.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { device, load, setup } from './harness-drivers';
import { checkServed } from './harness-invariants';
import {
  checkDatabase,
  killDuringStart,
  killServer,
  signIn,
  startServer,
  stopServer,
} from './harness-process';
import {
  HarnessState,
  KINDS,
  random,
  type HistoryFigures,
  type KillHarnessOptions,
  type WriteKind,
} from './harness-state';
import { ackedCommands, historyFindings } from './kill-harness-files';

export type { KillHarnessOptions } from './harness-state';

export interface KillHarnessFigures {
  /** Iterations run (fewer than asked when `signal` ended the run). */
  readonly iterations: number;
  readonly kills: number;
  /** Of the kills, those while the server was starting (migrations, the sweep). */
  readonly startKills: number;
  /** Writes answered with success, by kind (`history`: queries answered while it was written). */
  readonly acknowledged: Record<WriteKind, number>;
  /** Writes answered with an error (never expected; a cause to look at), by kind. */
  readonly refused: Record<WriteKind, number>;
  /** Writes cut by a kill (sent, no answer), by kind. */
  readonly cut: Record<WriteKind, number>;
  /** The history rows at the end, by tier, and the kills next to a minute roll-up. */
  readonly history: HistoryFigures;
  /** Invariant checks made, in all. */
  readonly checks: number;
  /** Each broken invariant, with the iteration it was found in. */
  readonly failures: readonly string[];
  readonly durationMs: number;
}

async function run(h: HarnessState): Promise<KillHarnessFigures> {
  const began = performance.now();
  const rng = random(h.options.seed);
  const maxRunMs = h.options.maxRunMs ?? 1500;
  const acked = () => ackedCommands(h.options.dataDir);
  // The first start on an empty directory creates the database: kill it there first.
  for (let i = 0; i < 2; i++) await killDuringStart(h, rng, 1500);
  let server = await startServer(h);
  await setup(h, server, await signIn(server));
  let done = 0;
  for (h.iteration = 1; h.iteration <= h.options.iterations; h.iteration++) {
    if (h.options.signal?.aborted === true) break;
    const token = await signIn(server);
    const duplicates: string[] = [];
    const ackedBefore = acked();
    const ws = await device(h, server, token, ackedBefore, duplicates);
    const stop = { now: false };
    const writes = load(h, server, token, rng, stop);
    let runMs = 50 + Math.floor(rng() * maxRunMs);
    if (h.clock.speed > 1 && rng() < 1 / 3) {
      // A forced roll-up kill: just after the server's clock passes an hour boundary, within the
      // two samples (200 ms apart) that close the hour's last minute and roll the hour up.
      runMs = h.clock.realMsUntilNext(3_600_000) + Math.floor(rng() * 400);
    }
    await sleep(runMs);
    stop.now = true;
    await killServer(h, server);
    ws?.terminate();
    await writes;
    h.check(
      duplicates.length === 0,
      `commands delivered after their ack was stored: ${duplicates.join(', ')}`,
    );
    checkDatabase(h);
    if (rng() < 0.25) await killDuringStart(h, rng, 1500);
    server = await startServer(h);
    await checkServed(h, server, await signIn(server), ackedBefore);
    done = h.iteration;
    h.options.log?.(
      `kill ${h.iteration}/${h.options.iterations}: ${h.figures.checks} checks, ${h.figures.failures.length} failures`,
    );
  }
  // The end: the device drains its queue; every accepted command is acknowledged, once.
  const token = await signIn(server);
  const duplicates: string[] = [];
  const ws = await device(h, server, token, acked(), duplicates);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && [...h.model.accepted].some((id) => !acked().has(id))) {
    await sleep(100);
  }
  const final = acked();
  for (const id of h.model.accepted) {
    h.check(final.has(id), `command ${id} (answered 202) never acknowledged`);
    h.check(h.model.applied.has(id), `command ${id} never reached the device`);
  }
  h.check(
    duplicates.length === 0,
    `commands delivered again after their ack: ${duplicates.join(', ')}`,
  );
  ws?.terminate();
  await stopServer(server);
  const { counts } = historyFindings(h.options.dataDir, Math.ceil(h.clock.now() / 1000));
  return {
    iterations: done,
    kills: h.figures.kills,
    startKills: h.figures.startKills,
    acknowledged: h.figures.acknowledged,
    cut: h.figures.cut,
    refused: h.figures.refused,
    history: {
      seconds: counts.second,
      minutes: counts.minute,
      hours: counts.hour,
      killsAtRollup: h.figures.killsAtRollup,
      killsAtHourRollup: h.figures.killsAtHourRollup,
    },
    checks: h.figures.checks,
    failures: h.figures.failures,
    durationMs: Math.round(performance.now() - began),
  };
}

export function runKillHarness(options: KillHarnessOptions): Promise<KillHarnessFigures> {
  return run(new HarnessState(options));
}

/** The figures as the harness prints them. */
export function formatFigures(f: KillHarnessFigures): string {
  const kinds = KINDS.map((k) => `${k} ${f.acknowledged[k]} (${f.cut[k]} cut)`).join(', ');
  const h = f.history;
  return [
    `iterations ${f.iterations}, kills ${f.kills} (${f.startKills} while starting), ${Math.round(f.durationMs / 1000)} s`,
    `writes acknowledged (cut by a kill): ${kinds}`,
    `writes refused: ${KINDS.map((k) => `${k} ${f.refused[k]}`).join(', ')}`,
    `history rows: ${h.seconds} seconds, ${h.minutes} minute roll-ups, ${h.hours} hour roll-ups; kills next to a roll-up: ${h.killsAtRollup} minute, ${h.killsAtHourRollup} hour`,
    `invariant checks ${f.checks}, failures ${f.failures.length}`,
    ...f.failures.map((line) => `  ${line}`),
  ].join('\n');
}
