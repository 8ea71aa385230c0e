/**
 * `--junit <file>`: a fleet run as a JUnit XML report, which CI systems (GitHub Actions test
 * reporters, GitLab, Jenkins) show as tests. One `<testcase>` per simulated device, failed when
 * the run's exit code counts it as failed, with the reason the summary prints as its message.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface JunitCase {
  /** The device: `panel-1`, `SIM-TV-0001`. */
  readonly name: string;
  /** Why it failed; undefined when it passed. */
  readonly failure?: string | undefined;
}

export interface JunitRun {
  /** The command: `panel` or `tv`. */
  readonly command: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly cases: readonly JunitCase[];
}

// XML 1.0 has no way to carry these (even escaped): tab, LF and CR are the only controls allowed.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** `text` as XML attribute or element content. */
export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** The report for one run, as a JUnit XML document. */
export function junitXml(run: JunitRun): string {
  const failures = run.cases.filter((c) => c.failure !== undefined).length;
  const time = (run.durationMs / 1000).toFixed(3);
  const suite = `marquee-sim ${run.command}`;
  const counts = `tests="${run.cases.length}" failures="${failures}" errors="0" skipped="0"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="marquee-sim" tests="${run.cases.length}" failures="${failures}" time="${time}">`,
    `  <testsuite name="${xmlEscape(suite)}" ${counts} time="${time}" timestamp="${run.startedAt.toISOString()}">`,
  ];
  for (const c of run.cases) {
    const open = `    <testcase classname="${xmlEscape(`marquee-sim.${run.command}`)}" name="${xmlEscape(c.name)}" time="${time}"`;
    if (c.failure === undefined) {
      lines.push(`${open}/>`);
    } else {
      const message = xmlEscape(c.failure);
      lines.push(
        `${open}>`,
        `      <failure message="${message}">${message}</failure>`,
        '    </testcase>',
      );
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

/** Writes the report to `path` (creating its folder); returns the line the summary prints. */
export function writeJunit(path: string, run: JunitRun): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, junitXml(run));
  return `  JUnit report:  ${path}`;
}
