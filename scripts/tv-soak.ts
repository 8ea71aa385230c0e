/**
 * `npm run soak:tv -- --minutes 30`: the web player's soak (firmware/android-tv/web/test/soak)
 * for as long as asked (default 30 minutes), each sample printed as it is taken and the figures
 * at the end, for docs/benchmarks.md. Needs Debian's chromium and `npm run build`. Exits 1 when a
 * figure is past its bound (heap or DOM growth over 10 %, a gap between items over 250 ms, a play
 * missing, doubled or out of order).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHROMIUM, describeSoak, runSoak } from '../firmware/android-tv/web/test/soak/soak';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    'sample-seconds': { type: 'string', default: '30' },
  },
});
const minutes = Number(values.minutes);
const sampleSeconds = Number(values['sample-seconds']);
if (!(minutes > 0) || !(sampleSeconds > 0)) {
  console.error('usage: npm run soak:tv -- [--minutes 30] [--sample-seconds 30]');
  process.exit(2);
}
const build = join(import.meta.dirname, '../packages/server/tv/player.js');
for (const [path, fix] of [
  [CHROMIUM, "install Debian's chromium (scripts/system-deps.sh)"],
  [build, 'run "npm run build"'],
] as const) {
  if (!existsSync(path)) {
    console.error(`${path} is missing: ${fix}`);
    process.exit(2);
  }
}

const report = await runSoak({
  durationMs: minutes * 60_000,
  sampleEveryMs: sampleSeconds * 1000,
  warmUpMs: Math.min(60_000, (minutes * 60_000) / 4),
  onSample: (s) => {
    console.log(
      `${(s.atMs / 60_000).toFixed(1).padStart(5)} min  heap ${(s.heapBytes / 1_048_576).toFixed(2)} MB  ` +
        `nodes ${s.domNodes}–${s.domNodesMax} (elements ${s.elements})  listeners ${s.listeners}  diagnostics ${(s.diagnosticsBytes / 1024).toFixed(0)} KB  ` +
        `frame gap ${s.maxFrameGapMs} ms  plays ${s.plays}`,
    );
  },
});
for (const line of describeSoak(report)) console.log(line);
const failed =
  report.heapGrowth > 0.1 ||
  report.domGrowth > 0.1 ||
  report.maxItemGapMs > 250 ||
  report.overlaps > 0 ||
  report.outOfOrder > 0 ||
  report.unsentAtEnd > 0 ||
  Math.abs(report.playsAtServer - report.playsExpected) > report.playsTolerance;
process.exit(failed ? 1 : 0);
