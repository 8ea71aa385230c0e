/**
 * The benchmarks `npm run bench` runs, in this order.
 *
 * To add one (fleet and storm come with the signage surface): write bench/<name>.ts exporting a
 * `Benchmark` (types.ts) whose `run` measures Marquee and its baseline in the same run and returns
 * `measurement(...)` rows with their targets; give it a `smoke` mode of a few seconds; add it
 * here. The runner's table and JSON, docs/benchmarks.md and the CI smoke
 * (scripts/test/bench-smoke.test.ts) pick it up from this list. Shared pieces: lib/marquee.ts
 * (a server with a counting system source), lib/client-fleet.ts (N counting clients in a worker
 * thread, paced rounds), @marquee/simulators (device simulators).
 */
import { fanOut } from './fan-out';
import type { Benchmark } from './types';
import { upstreamEconomy } from './upstream-economy';

export const BENCHMARKS: readonly Benchmark[] = [fanOut, upstreamEconomy];
