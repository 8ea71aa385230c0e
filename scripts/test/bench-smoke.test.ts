/**
 * CI smoke of `npm run bench`: every benchmark in bench/registry.ts runs in its reduced mode (tens
 * to hundreds of clients, a second or so of measurement each) through the real runner, as a child
 * process, so none can rot. Speed is never asserted here (these machines are shared and noisy);
 * only that each ran, beside its baseline, and produced finite numbers, and, for the storm, that
 * every command survived the kill exactly once (a correctness figure, not a speed). Each
 * simulator's CLI has its own smoke in packages/simulators/test/ (panel-cli, tv-cli, cli for gpu).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../bench/lib/report';
import { BENCHMARKS } from '../../bench/registry';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'marquee-bench-smoke-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run bench -- --smoke', () => {
  it('runs every benchmark beside its baseline and reports numbers', () => {
    const out = join(work, 'smoke.json');
    const docs = readFileSync(join(root, 'docs/benchmarks.md'), 'utf8');
    const result = spawnSync(
      process.execPath,
      ['--conditions=@marquee/source', '--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out],
      { cwd: root, encoding: 'utf8', timeout: 150_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^benchmark +metric +Marquee +baseline +ratio/m);

    const report = JSON.parse(readFileSync(out, 'utf8')) as RunReport;
    expect(report.mode).toBe('smoke');
    expect(report.failures).toEqual([]);
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.results.map((r) => r.name)).toEqual(BENCHMARKS.map((b) => b.name));
    for (const bench of report.results) {
      expect(bench.measurements.length, bench.name).toBeGreaterThan(0);
      for (const m of bench.measurements) {
        for (const value of [m.subject, m.baseline, m.ratio]) {
          expect(Number.isFinite(value), `${bench.name}: ${m.metric}`).toBe(true);
        }
        expect(m.baseline, `${bench.name}: ${m.metric}`).toBeGreaterThan(0);
        // A count whose target is zero (lost, duplicated) may be zero; every other figure is not.
        const zeroTarget = m.target !== undefined && 'value' in m.target && m.target.value === 0;
        if (zeroTarget) expect(m.subject, `${bench.name}: ${m.metric}`).toBeGreaterThanOrEqual(0);
        else expect(m.subject, `${bench.name}: ${m.metric}`).toBeGreaterThan(0);
      }
    }

    const rows = (name: string, prefixes: readonly string[]) => {
      const bench = report.results.find((r) => r.name === name);
      expect(bench?.measurements.length, name).toBe(prefixes.length);
      return prefixes.map((prefix, i) => {
        const m = bench?.measurements[i];
        expect(m?.metric, name).toMatch(new RegExp(`^${prefix}`));
        return m;
      });
    };
    const [rss] = rows('fleet', [
      'RSS per connection',
      'server CPU at idle',
      'command latency p50',
      'command latency p99',
    ]);
    expect(rss?.baselineLabel).toBe('plain ws');
    const [hopP50] = rows('cluster', ['command latency p50', 'command latency p99']);
    expect(hopP50?.baselineLabel).toBe('one instance');
    expect(hopP50?.subject).toBeGreaterThan(0);
    const [back, cpu, lost, twice] = rows('storm', [
      'time until all 200 devices are back',
      'CPU of the restarted server process',
      'commands lost',
      'commands applied twice',
      're-deliveries',
    ]);
    expect(back?.baselineLabel).toBe('plain ws');
    expect(cpu?.subject).toBeGreaterThan(0);
    // Exactly once across the kill: every accepted command arrived, none was applied twice.
    expect(lost?.subject).toBe(0);
    expect(twice?.subject).toBe(0);
    expect(
      lost?.baseline,
      'commands issued (two broadcasts to 200 devices and the load)',
    ).toBeGreaterThan(400);

    // A smoke run never writes the documented results.
    expect(readFileSync(join(root, 'docs/benchmarks.md'), 'utf8')).toBe(docs);
  }, 180_000);
});
