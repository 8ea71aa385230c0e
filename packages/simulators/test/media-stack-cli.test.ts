/** `marquee-sim media-stack` as a user runs it: a real child process serving the fake stack. */
import { afterAll, describe, expect, it } from 'vitest';
import { marqueeSimBin, printedEnv, run, start, type Started } from './helpers/processes';

const running: Started[] = [];
afterAll(() => {
  for (const started of running) started.child.kill('SIGKILL');
});

describe('marquee-sim media-stack', () => {
  it('is listed by --help and refuses an unknown upstream with exit 2', async () => {
    expect((await run(marqueeSimBin, ['--help'])).stdout).toMatch(/^ {2}media-stack +/m);
    const bad = await run(marqueeSimBin, ['media-stack', '--down', 'emby']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown upstream "emby"');
  });

  it('serves Plex, Overseerr, qBittorrent and Sonarr, prints their env, and honours --down', async () => {
    const sim = start(marqueeSimBin, [
      'media-stack',
      '--down',
      'sonarr',
      '--unauthorized',
      'overseerr',
    ]);
    running.push(sim);
    const env = await printedEnv(sim, 'MARQUEE_SONARR_API_KEY');
    const plex = await fetch(`${env.MARQUEE_PLEX_URL}/status/sessions`, {
      headers: { 'x-plex-token': env.MARQUEE_PLEX_TOKEN ?? '', accept: 'application/json' },
    });
    expect(plex.status).toBe(200);
    expect(await plex.json()).toMatchObject({ MediaContainer: { size: 2 } });
    const wrongToken = await fetch(`${env.MARQUEE_PLEX_URL}/`, {
      headers: { 'x-plex-token': 'x' },
    });
    expect(wrongToken.status).toBe(401);
    const overseerr = await fetch(`${env.MARQUEE_OVERSEERR_URL}/api/v1/status`, {
      headers: { 'x-api-key': env.MARQUEE_OVERSEERR_API_KEY ?? '' },
    });
    expect(overseerr.status).toBe(401);
    await expect(fetch(`${env.MARQUEE_SONARR_URL}/api/v3/health`)).rejects.toThrow();

    sim.child.kill('SIGINT');
    const result = await sim.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Stopped \(SIGINT\).*requests plex 2, overseerr 1, qbittorrent 0, sonarr 1/,
    );
  });
});
