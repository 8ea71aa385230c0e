/**
 * `npm run bench`: runs every benchmark in registry.ts, each beside its baseline, prints a table
 * and the JSON, writes the JSON to bench/results/latest.json and appends a dated section to
 * docs/benchmarks.md. Targets are reported, never enforced: the exit code is 1 only when a
 * benchmark could not run.
 *
 *   npm run bench                          all, full size
 *   npm run bench -- --only fan-out        some (comma-separated names)
 *   npm run bench -- --smoke --out f.json  tiny and quick (CI); never touches docs/
 *   npm run bench -- --no-docs             leave docs/benchmarks.md alone
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine } from './lib/machine';
import { formatTable, markdownSection, type RunReport } from './lib/report';
import { BENCHMARKS } from './registry';
import type { BenchMode, BenchResult } from './types';

const root = fileURLToPath(new URL('../', import.meta.url));

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
    },
  });
  const mode: BenchMode = values.smoke ? 'smoke' : 'full';
  const wanted = values.only?.split(',').map((name) => name.trim());
  const unknown = wanted?.filter((name) => !BENCHMARKS.some((b) => b.name === name)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`,
    );
    return 2;
  }
  const selected = BENCHMARKS.filter((b) => wanted === undefined || wanted.includes(b.name));

  const startedAt = new Date().toISOString();
  const results: BenchResult[] = [];
  const failures: { name: string; error: string }[] = [];
  for (const bench of selected) {
    process.stderr.write(`${bench.name} (${mode})…\n`);
    const began = performance.now();
    try {
      const result = await bench.run({
        mode,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      results.push({
        name: bench.name,
        title: bench.title,
        ...result,
        durationMs: Math.round(performance.now() - began),
      });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`${bench.name} failed: ${message}\n`);
      failures.push({ name: bench.name, error: error instanceof Error ? error.message : message });
    }
  }

  const report: RunReport = { startedAt, mode, machine: describeMachine(), results, failures };
  const json = JSON.stringify(report, null, 2);
  const out = resolve(
    values.out ?? `${root}bench/results/${mode === 'full' ? 'latest' : 'smoke'}.json`,
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${json}\n`);
  process.stdout.write(`\n${formatTable(report)}\n\n${json}\n\nResults written to ${out}\n`);
  if (mode === 'full' && !values['no-docs']) {
    appendFileSync(`${root}docs/benchmarks.md`, `\n${markdownSection(report)}`);
    process.stdout.write('Appended to docs/benchmarks.md\n');
  }
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
