/**
 * `marquee-sim tv` as CI runs it: a real child process (the bin/ launcher) against a real
 * Marquee server; the summary, the exit codes, plain lines when stdout is not a terminal, and
 * the TVs as the server's admin API sees them afterwards.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSignageAdminClient } from '@marquee/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport } from '../src/cli/json-report';
import { ADMIN, startMarquee, type TestMarquee } from './helpers/marquee-server';
import { marqueeSimBin, run } from './helpers/processes';

let marquee: TestMarquee;
const reports = mkdtempSync(join(tmpdir(), 'marquee-sim-tv-json-'));
const reportPath = join(reports, 'tvs.json');

beforeAll(async () => {
  marquee = await startMarquee();
});

afterAll(async () => {
  rmSync(reports, { recursive: true, force: true });
  await marquee.close();
});

const credentials = ['--username', ADMIN.username, '--password', ADMIN.password];

describe('marquee-sim tv', () => {
  it(
    'runs 20 TVs with a demo playlist for a few seconds and exits 0 with a summary',
    { timeout: 60_000 },
    async () => {
      const result = await run(marqueeSimBin, [
        'tv',
        '--count',
        '20',
        '--server',
        marquee.url,
        '--prefix',
        'CI-TV-',
        '--playlist',
        'demo',
        '--duration',
        // 20 TVs each sign in (scrypt) and download two files; 4 s was too short on a loaded
        // 2-core CI machine, where the last few were still starting.
        '12',
        '--json',
        reportPath,
        ...credentials,
      ]);
      expect(result.stderr).toBe('');
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toContain(`20 TVs (CI-TV-0001 … CI-TV-0020) → ${marquee.url}`);
      expect(result.stdout).toMatch(
        /^Demo playlist \d+ "marquee-sim demo CI-TV-": 2 items, 25 s$/m,
      );
      expect(result.stdout).toContain('Stopped (duration reached) after 12s.');
      expect(result.stdout).toMatch(/TVs: +20 ok, 0 failed \(20 online at the end\)/);
      expect(result.stdout).toMatch(/commands: +\d+ handled, \d+ acked, 0 refused/);
      // Not a terminal: no carriage returns, and a final plain status line.
      expect(result.stdout).not.toContain('\r');
      expect(result.stdout).toMatch(
        /^\d+s {2}online 20\/20 · [\d.]+ msg\/s · errors \d+ · acked \d+ · ready \d+\/20 · plays \d+$/m,
      );

      const report = JSON.parse(readFileSync(reportPath, 'utf8')) as FleetReport;
      expect(report).toMatchObject({ command: 'tv', exitCode: 0, devices: { total: 20, ok: 20 } });
      expect(report.results.map((r) => r.name).slice(0, 2)).toEqual(['CI-TV-0001', 'CI-TV-0002']);
      expect(report.totals).toMatchObject({ online: 20, refused: 0 });
      const statuses = report.totals['statuses'] as Record<string, number>;
      expect(Object.values(statuses).reduce((a, b) => a + b, 0)).toBe(20);

      const admin = createSignageAdminClient({ baseUrl: marquee.url, credentials: ADMIN });
      const devices = await admin.listDevices();
      const serials = devices.results.map((d) => d.sn_number).filter((sn) => sn.startsWith('CI-'));
      expect(serials).toHaveLength(20);
    },
  );

  it('exits 1 when the TVs cannot reach the server', { timeout: 60_000 }, async () => {
    const nowhere = ['--server', 'http://127.0.0.1:1', '--duration', '1'];
    const result = await run(marqueeSimBin, ['tv', '--count', '2', ...nowhere, ...credentials]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/TVs: +0 ok, 2 failed/);
    expect(result.stdout).toMatch(/failed SIM-TV-0001: offline/);
  });

  it('exits 1 when the server refuses the account', { timeout: 60_000 }, async () => {
    const result = await run(marqueeSimBin, [
      'tv',
      '--server',
      marquee.url,
      '--duration',
      '1',
      '--username',
      'nobody',
      '--password',
      'wrong-password',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/failed SIM-TV-0001: start refused: /);
  });

  it('rejects bad options with exit 2 and prints its help', { timeout: 60_000 }, async () => {
    const bad = [
      [...credentials],
      ['--server', 'nope', ...credentials],
      ['--server', 'http://x'],
      ['--server', 'http://x', '--count', '0', ...credentials],
      ['--server', 'http://x', '--playlist', 'latest', ...credentials],
      ['--server', 'http://x', '--bogus', ...credentials],
    ];
    const noAccount = { MARQUEE_SIM_USERNAME: '', MARQUEE_SIM_PASSWORD: '' };
    const results = await Promise.all(
      bad.map((args) => run(marqueeSimBin, ['tv', ...args], noAccount)),
    );
    for (const [i, result] of results.entries()) {
      expect(result.code, bad[i]?.join(' ')).toBe(2);
      expect(result.stderr).toContain('Usage: marquee-sim tv');
    }
    const help = await run(marqueeSimBin, ['tv', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--playlist ID|demo');
  });
});
