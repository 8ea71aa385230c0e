/** `marquee-sim media-stack` as a user runs it: a real child process serving the fake stack. */
import { afterAll, describe, expect, it, vi } from 'vitest';
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
      /Stopped \(SIGINT\).*requests plex 2, tautulli 0, overseerr 1, qbittorrent 0, sonarr 1, radarr 0, prowlarr 0/,
    );
  });

  it('serves Tautulli, Radarr and Prowlarr with their keys, and switches modes live from stdin', async () => {
    const sim = start(marqueeSimBin, ['media-stack']);
    running.push(sim);
    const env = await printedEnv(sim, 'MARQUEE_PROWLARR_API_KEY');
    const radarr = (path: string) =>
      fetch(`${env.MARQUEE_RADARR_URL}${path}`, {
        headers: { 'x-api-key': env.MARQUEE_RADARR_API_KEY ?? '' },
      });
    expect(await (await radarr('/api/v3/system/status')).json()).toMatchObject({
      appName: 'Radarr',
    });
    const tautulli = await fetch(
      `${env.MARQUEE_TAUTULLI_URL}/api/v2?apikey=${env.MARQUEE_TAUTULLI_API_KEY}&cmd=get_activity`,
    );
    expect(await tautulli.json()).toMatchObject({ response: { result: 'success' } });
    const prowlarr = await fetch(`${env.MARQUEE_PROWLARR_URL}/api/v1/indexer`, {
      headers: { 'x-api-key': env.MARQUEE_PROWLARR_API_KEY ?? '' },
    });
    expect(await prowlarr.json()).toHaveLength(2);

    const said = (text: string) =>
      vi.waitFor(() => expect(sim.output()).toContain(text), { timeout: 10_000 });
    sim.child.stdin.write('radarr,tautulli down\n');
    await said('radarr, tautulli: down\n');
    await expect(radarr('/api/v3/health')).rejects.toThrow();
    sim.child.stdin.write('radarr unauthorized\n');
    await said('radarr: unauthorized\n');
    expect((await radarr('/api/v3/health')).status).toBe(401);
    sim.child.stdin.write('radarr slow 300\n');
    await said('radarr: slow (300 ms)\n');
    const started = performance.now();
    expect((await radarr('/api/v3/health')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    sim.child.stdin.write('emby down\nplex sideways\nall ok\nstatus\n');
    await said('unknown upstream "emby"');
    await said('give a mode, one of ok, down, slow, unauthorized, malformed');
    await said('plex, tautulli, overseerr, qbittorrent, sonarr, radarr, prowlarr: ok\n');
    await said(`radarr       ok ${env.MARQUEE_RADARR_URL}\n`);
    expect((await radarr('/api/v3/health')).status).toBe(200);

    sim.child.kill('SIGINT');
    const result = await sim.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Stopped \(SIGINT\).*radarr [1-9]/);
  });
});
