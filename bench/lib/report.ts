/** The runner's outputs: a terminal table and a dated Markdown section for docs/benchmarks.md. */
import type { BenchResult, Measurement } from '../types';
import { machineLine, type Machine } from './machine';

export interface RunReport {
  /** ISO time the run started. */
  readonly startedAt: string;
  readonly mode: 'full' | 'smoke';
  readonly machine: Machine;
  readonly results: readonly BenchResult[];
  /** Benchmarks that threw, with the message. */
  readonly failures: readonly { readonly name: string; readonly error: string }[];
}

const HEADERS = ['benchmark', 'metric', 'Marquee', 'baseline', 'ratio', 'target', 'met'] as const;

function number(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
}

function targetText(m: Measurement): string {
  const target = m.target;
  if (target === undefined) return '';
  const tolerance = target.tolerance ? ` ±${Math.round(target.tolerance * 100)}%` : '';
  const op = target.op === '==' ? '=' : target.op === '>=' ? '≥' : '≤';
  // A ratio target reads "≥ 0.8" (× the baseline); an absolute one carries its unit.
  return 'value' in target
    ? `${op} ${number(target.value)} ${m.unit}${tolerance}`
    : `${op} ${target.ratio}${tolerance}`;
}

function metText(m: Measurement): string {
  if (m.met === undefined) return '';
  return m.met ? 'yes' : 'NO';
}

function rows(report: RunReport): string[][] {
  return report.results.flatMap((result) =>
    result.measurements.map((m) => [
      result.name,
      `${m.metric} (${m.unit})`,
      `${number(m.subject)} (${m.subjectLabel})`,
      `${number(m.baseline)} (${m.baselineLabel})`,
      m.ratio.toFixed(2),
      targetText(m),
      metText(m),
    ]),
  );
}

/** A plain-text table for the terminal. */
export function formatTable(report: RunReport): string {
  const all = [[...HEADERS], ...rows(report)];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(all[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of all.slice(1)) out.push(line(row));
  for (const failure of report.failures) out.push(`${failure.name}: FAILED: ${failure.error}`);
  return out.join('\n');
}

/** A dated section for docs/benchmarks.md. */
export function markdownSection(report: RunReport): string {
  const date = report.startedAt.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  const out = [
    `## ${date}`,
    '',
    `Machine: ${machineLine(report.machine)}.`,
    '',
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map(() => '---').join('|')}|`,
    ...rows(report).map((row) => `| ${row.join(' | ')} |`),
  ];
  const notes = report.results.flatMap((r) => r.notes.map((note) => `- ${r.name}: ${note}`));
  for (const failure of report.failures) notes.push(`- ${failure.name}: failed: ${failure.error}`);
  if (notes.length > 0) out.push('', ...notes);
  return `${out.join('\n')}\n`;
}
