/**
 * Runs examples/media-stack-cli as a real child process (Node + tsx on the SDK's sources) against
 * a real test server fed by the simulators' fake media stack, the way a user runs it, and checks
 * what it prints: the board once, then live service changes and notifications, and a refusal.
 */
import { startFakeMediaStack, type FakeMediaStack } from '@marquee/simulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediaStackModule } from '../../src/surfaces/media-stack/module';
import { killExamples, runExample, untilOutput, type ExampleRun } from '../helpers/example-process';
import { call, startTestServer, type TestServer } from '../helpers/server';

let fakes: FakeMediaStack;
let t: TestServer;
let admin: string;

beforeAll(async () => {
  fakes = await startFakeMediaStack();
  t = await startTestServer({ ...fakes.config, upstreamTimeoutSeconds: 1 });
  admin = await t.login();
  await t.server.surface(mediaStackModule).service.checkNow();
});
afterEach(() => {
  killExamples();
  fakes.sonarr.mode = 'ok';
});
afterAll(async () => {
  await t?.close();
  await fakes?.close();
});

function cli(args: readonly string[], env: Record<string, string> = {}): ExampleRun {
  return runExample('media-stack-cli/main.ts', args, env);
}

describe('examples/media-stack-cli', () => {
  it('--once prints services with latency and age, downloads, requests, and exits 0', async () => {
    const run = cli([t.url, '--once', '--token', admin]);
    expect(await run.exited, run.stderr()).toBe(0);
    const out = run.stdout();
    expect(out).toMatch(
      /^Services: (healthy|warning|critical) \(health \d+%\), figures \d+s old\n/,
    );
    expect(out).toMatch(/\n {2}plex {10}up {7} +\d+ ms {2}checked \d+s ago\n/);
    expect(out).toMatch(/\n {2}qbittorrent {3}up /);
    // Not configured: down, with the server's reason.
    expect(out).toMatch(/\n {2}redis {9}down .*checked \d+s ago \(.+\)\n/);
    expect(out).toContain('Downloads: 1 active, 1 queued, 45.2 MB/s');
    expect(out).toContain('  The Batman (2022)  67.5%  25.6 MB/s  eta 00:42:15\n');
    expect(out).toContain('Requests: 12 pending, 3 processing, 1847 in all\n');
    expect(out).toMatch(/\nNotifications: \d+ unread\n/);
  });

  it('streams a service going down and its notification, with a display token from the environment', async () => {
    const created = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: admin,
      body: { name: 'terminal', scopes: ['media-stack'] },
    });
    const run = cli([], {
      MARQUEE_URL: t.url,
      MARQUEE_TOKEN: (created.body as { token: string }).token,
    });
    await untilOutput(run, () => expect(run.stderr()).toContain(`[open] ${t.url}`));
    fakes.sonarr.mode = 'down';
    await t.server.surface(mediaStackModule).service.checkNow();
    await untilOutput(run, () => expect(run.stdout()).toContain('sonarr: up -> down\n'));
    await untilOutput(run, () => expect(run.stdout()).toMatch(/\n\[high\] sonarr is down: /));
  });

  it('exits 1 with the reason when the server refuses', async () => {
    const run = cli([t.url, '--once', '--token', 'not-a-token']);
    expect(await run.exited).toBe(1);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toContain(`${t.url}: UNAUTHORIZED`);
  });
});
