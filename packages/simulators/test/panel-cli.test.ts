/**
 * `marquee-sim panel` as CI runs it: a real child process (the bin/ launcher) against a real
 * Marquee server; the summary, the exit code, and plain lines when stdout is not a terminal.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport } from '../src/cli/json-report';
import { startMarquee, type TestMarquee } from './helpers/marquee-server';
import { marqueeSimBin, run } from './helpers/processes';

let marquee: TestMarquee;
const reports = mkdtempSync(join(tmpdir(), 'marquee-sim-junit-'));

beforeAll(async () => {
  marquee = await startMarquee({ sampleIntervalMs: 200 });
  const token = await marquee.login();
  await marquee.playSession(token, {
    session_id: 'cli-session',
    title: 'The Matrix',
    current_time: 10,
    duration: 6000,
    state: 'playing',
  });
});

afterAll(async () => {
  rmSync(reports, { recursive: true, force: true });
  await marquee.close();
});

describe('marquee-sim panel', () => {
  it('runs 5 panels for a few seconds and exits 0 with a summary', async () => {
    const result = await run(marqueeSimBin, [
      'panel',
      '--count',
      '5',
      '--server',
      marquee.url,
      '--duration',
      '2',
      '--junit',
      join(reports, 'ok', 'panels.xml'),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`JUnit report:  ${join(reports, 'ok', 'panels.xml')}`);
    const xml = readFileSync(join(reports, 'ok', 'panels.xml'), 'utf8');
    expect(xml).toMatch(/<testsuite name="marquee-sim panel" tests="5" failures="0" /);
    for (let i = 1; i <= 5; i++) {
      expect(xml).toMatch(
        new RegExp(`<testcase classname="marquee-sim.panel" name="panel-${i}" time="[\\d.]+"/>`),
      );
    }
    expect(result.stdout).toContain(`5 panels → ws://127.0.0.1:`);
    expect(result.stdout).toContain('Stopped (duration reached) after 2s.');
    expect(result.stdout).toMatch(/panels: +5 ok, 0 failed \(5 live at the end\)/);
    expect(result.stdout).toMatch(/frames: +\d+ accepted, 0 refused; largest \d+ of 1024 bytes/);
    // Not a terminal: no carriage returns, and a final plain status line.
    expect(result.stdout).not.toContain('\r');
    expect(result.stdout).toMatch(
      /^\ds {2}live 5\/5 · [\d.]+ msg\/s · rejected 0 · drops 0 · errors 0$/m,
    );
  });

  it('--json - prints the report alone on stdout and the summary on stderr', async () => {
    const result = await run(marqueeSimBin, [
      'panel',
      '--count',
      '3',
      '--server',
      marquee.url,
      '--duration',
      '2',
      '--json',
      '-',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as FleetReport;
    expect(report).toMatchObject({
      schema: 'marquee-sim/fleet-report@1',
      command: 'panel',
      server: marquee.url,
      stopReason: 'duration reached',
      exitCode: 0,
      devices: { total: 3, ok: 3, failed: 0 },
      results: [
        { name: 'panel-1', ok: true },
        { name: 'panel-2', ok: true },
        { name: 'panel-3', ok: true },
      ],
    });
    expect(report.durationMs).toBeGreaterThanOrEqual(2000);
    expect(report.totals).toMatchObject({ live: 3, rejected: 0 });
    expect(report.totals['frames']).toBeGreaterThan(0);
    expect(Date.parse(report.startedAt)).not.toBeNaN();
    expect(result.stderr).toContain('3 panels → ws://127.0.0.1:');
    expect(result.stderr).toMatch(/panels: +3 ok, 0 failed \(3 live at the end\)/);
  });

  it('exits 1 when the panels cannot reach the server', async () => {
    const result = await run(marqueeSimBin, [
      'panel',
      '--count',
      '2',
      '--server',
      'http://127.0.0.1:1',
      '--duration',
      '1',
      '--junit',
      join(reports, 'failed.xml'),
      '--json',
      join(reports, 'failed.json'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`JSON report:   ${join(reports, 'failed.json')}`);
    const report = JSON.parse(readFileSync(join(reports, 'failed.json'), 'utf8')) as FleetReport;
    expect(report.exitCode).toBe(1);
    expect(report.devices).toEqual({ total: 2, ok: 0, failed: 2 });
    expect(report.results[0]).toEqual({ name: 'panel-1', ok: false, failure: 'waiting, 0 frames' });
    const xml = readFileSync(join(reports, 'failed.xml'), 'utf8');
    expect(xml).toMatch(/<testsuites name="marquee-sim" tests="2" failures="2" /);
    expect(xml).toContain('<failure message="waiting, 0 frames">waiting, 0 frames</failure>');
    expect(result.stdout).toMatch(/panels: +0 ok, 2 failed/);
    expect(result.stdout).toMatch(/failed panel-1: waiting, 0 frames/);
  });

  it('rejects bad options with exit 2 and prints its help', async () => {
    for (const args of [[], ['--server', 'nope'], ['--server', 'http://x', '--count', '0']]) {
      const result = await run(marqueeSimBin, ['panel', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('Usage: marquee-sim panel');
    }
    const help = await run(marqueeSimBin, ['panel', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('heartbeat 15000 ms ping / 3000 ms pong timeout / 2 misses');
  });
});
