/** The JSON report of `--json`: its shape, the exit code it carries, stdout and file targets. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetReport, writeJsonReport, type FleetRun } from '../src/cli/json-report';
import { UsageError, fleetOptions } from '../src/cli/options';

const dir = mkdtempSync(join(tmpdir(), 'marquee-sim-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run: FleetRun = {
  command: 'tv',
  server: 'http://127.0.0.1:8000',
  startedAt: new Date('2026-12-07T18:00:00.000Z'),
  durationMs: 61_500.4,
  stopReason: 'SIGINT',
  exitCode: 1,
  totals: { online: 1, acks: 4, statuses: { ready: 1, partial: 1 } },
  cases: [{ name: 'SIM-TV-0001' }, { name: 'SIM-TV-0002', failure: 'playlist 3 partial' }],
};

describe('fleetReport', () => {
  it('counts devices, keeps start order and names each failure', () => {
    expect(fleetReport(run)).toEqual({
      schema: 'marquee-sim/fleet-report@1',
      command: 'tv',
      server: 'http://127.0.0.1:8000',
      startedAt: '2026-12-07T18:00:00.000Z',
      durationMs: 61_500,
      stopReason: 'SIGINT',
      exitCode: 1,
      devices: { total: 2, ok: 1, failed: 1 },
      totals: { online: 1, acks: 4, statuses: { ready: 1, partial: 1 } },
      results: [
        { name: 'SIM-TV-0001', ok: true },
        { name: 'SIM-TV-0002', ok: false, failure: 'playlist 3 partial' },
      ],
    });
  });
});

describe('writeJsonReport', () => {
  it('writes a file (creating its folder) and returns the summary line', () => {
    const path = join(dir, 'nested', 'run.json');
    expect(writeJsonReport(path, run)).toBe(`  JSON report:   ${path}`);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(fleetReport(run));
  });

  it('writes to stdout for "-" and returns no line', () => {
    let written = '';
    const line = writeJsonReport('-', run, { write: (text: string) => (written += text) });
    expect(line).toBeUndefined();
    expect(JSON.parse(written)).toEqual(fleetReport(run));
    expect(written.endsWith('}\n')).toBe(true);
  });
});

describe('--json', () => {
  it('is read by every fleet command, and an empty path is a usage error', () => {
    const server = 'http://127.0.0.1:8000';
    expect(fleetOptions({ server, json: '-' }, 10).jsonPath).toBe('-');
    expect(fleetOptions({ server }, 10).jsonPath).toBeUndefined();
    expect(() => fleetOptions({ server, json: '' }, 10)).toThrow(UsageError);
  });
});
