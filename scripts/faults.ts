/**
 * `npm run faults`: the kill harness (packages/server/test/faults/kill-harness.ts) for as long as
 * asked. Options: `--iterations N` (default 200), `--seed S` (default: the time; printed, so a
 * failing run can be repeated), `--max-run-ms MS` (longest write burst before a kill, default
 * 1500), `--clock-speed N` (the server's wall clock runs N times real time under libfaketime, so
 * minute and hour roll-ups come often and a third of the kills land just after an hour's roll-up;
 * 600: an hour every 6 s), `--source` (run the server from source under tsx instead of the built CLI), `--keep`
 * (leave the data directory for inspection). Ctrl-C (or SIGTERM) ends the run after the kill in
 * progress and still prints the figures. Exit 1 when an invariant broke.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatFigures, runKillHarness } from '../packages/server/test/faults/kill-harness';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const cliPath = join(repoRoot, 'packages/server/dist/cli.js');
const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '200' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    'max-run-ms': { type: 'string', default: '1500' },
    'clock-speed': { type: 'string', default: '1' },
    source: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const iterations = Number(values.iterations);
const seed = Number(values.seed);
const maxRunMs = Number(values['max-run-ms']);
const clockSpeed = Number(values['clock-speed']);
if (![iterations, seed, maxRunMs, clockSpeed].every((n) => Number.isInteger(n) && n >= 0)) {
  console.error('faults: --iterations, --seed, --max-run-ms and --clock-speed take whole numbers');
  process.exit(2);
}
const source = values.source || !existsSync(cliPath);
if (source && !values.source) console.log('faults: no build (npm run build); running from source');
const dataDir = mkdtempSync(join(tmpdir(), 'marquee-faults-'));
console.log(`faults: ${iterations} kills, seed ${seed}, data directory ${dataDir}`);
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`faults: ${signal}: stopping after the kill in progress`);
    stop.abort();
  });
}
try {
  const figures = await runKillHarness({
    signal: stop.signal,
    iterations,
    seed,
    dataDir,
    cwd: repoRoot,
    maxRunMs,
    clockSpeed: Math.max(1, clockSpeed),
    serverArgs: source
      ? ['--conditions=@marquee/source', '--import', 'tsx', 'packages/server/src/cli.ts']
      : [cliPath],
    log: (line) => console.log(line),
  });
  console.log(formatFigures(figures));
  process.exitCode = figures.failures.length === 0 ? 0 : 1;
} finally {
  if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
}
