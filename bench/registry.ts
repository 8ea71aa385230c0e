/**
 * The benchmarks `npm run bench` runs, in this order.
 *
 * To add one: write bench/<name>.ts exporting a `Benchmark` (types.ts) whose `run` measures
 * Marquee and its baseline in the same run and returns `measurement(...)` rows with their targets
 * (a ratio to the baseline, or an absolute value); give it a `smoke` mode of a few seconds; add it
 * here. The runner's table and JSON, docs/benchmarks.md and the CI smoke
 * (scripts/test/bench-smoke.test.ts) pick it up from this list. Shared pieces: lib/marquee.ts (an
 * in-process server with a counting system source), lib/client-fleet.ts (N counting clients in a
 * child process, paced rounds), lib/server-child.ts (Marquee or the plain baseline alone in a
 * child process, to measure or SIGKILL), lib/device-fleet.ts (N signage devices and a command
 * load in a child process, with a delivery ledger), @marquee/simulators (device simulators).
 */
import { cluster } from './cluster';
import { fanOut, fanOutSampler } from './fan-out';
import { fleet } from './fleet';
import { history } from './history';
import { mediaPush } from './media-push';
import { sampler } from './sampler';
import { storm } from './storm';
import type { Benchmark } from './types';
import { upstreamEconomy } from './upstream-economy';

export const BENCHMARKS: readonly Benchmark[] = [
  fanOut,
  fanOutSampler,
  upstreamEconomy,
  fleet,
  storm,
  cluster,
  sampler,
  history,
  mediaPush,
];
