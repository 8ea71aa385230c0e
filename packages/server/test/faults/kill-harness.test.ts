/**
 * A few iterations of the kill harness (kill-harness.ts) in the unit suite; `npm run faults` runs
 * hundreds. The built CLI (packages/server/dist/cli.js, from `npm run build`, which `npm test`
 * runs first) starts in about a second; from source under tsx it takes several, so where there
 * is no build the source is used with fewer iterations. MARQUEE_FAULTS_ITERATIONS and
 * MARQUEE_FAULTS_SEED choose others.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot } from '../helpers/cli';
import { formatFigures, runKillHarness } from './kill-harness';

const dataDir = mkdtempSync(join(tmpdir(), 'marquee-kills-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const built = existsSync(cliPath);
const iterations = Number(process.env.MARQUEE_FAULTS_ITERATIONS ?? (built ? 6 : 3));
const seed = Number(process.env.MARQUEE_FAULTS_SEED ?? 18);

describe('SIGKILL mid-write', () => {
  it(`${iterations} kills at random moments lose nothing acknowledged and break nothing`, async () => {
    const figures = await runKillHarness({
      iterations,
      seed,
      dataDir,
      cwd: repoRoot,
      serverArgs: built
        ? [cliPath]
        : ['--conditions=@marquee/source', '--import', 'tsx', 'packages/server/src/cli.ts'],
      maxRunMs: 1200,
    });
    console.log(formatFigures(figures));
    expect(figures.kills).toBe(iterations + figures.startKills);
    // Writes of every kind were acknowledged, so the checks had something to check.
    expect(figures.acknowledged.upload).toBeGreaterThan(0);
    expect(figures.acknowledged.command).toBeGreaterThan(0);
    expect(figures.acknowledged.session).toBeGreaterThan(0);
    expect(figures.checks).toBeGreaterThan(iterations * 10);
    // Every write the server answered, it answered with success.
    expect(figures.refused).toEqual({
      upload: 0,
      playlist: 0,
      command: 0,
      ack: 0,
      session: 0,
      settings: 0,
    });
    expect(figures.failures).toEqual([]);
  }, 180_000);
});
