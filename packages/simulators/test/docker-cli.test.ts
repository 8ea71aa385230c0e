/** `marquee-sim docker` as a user runs it: a real child process serving the fake Engine API. */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { marqueeSimBin, printedEnv, run, start, type Started } from './helpers/processes';

const running: Started[] = [];
const dir = mkdtempSync(join(tmpdir(), 'marquee-sim-docker-'));
afterAll(() => {
  for (const started of running) started.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function docker(
  socketPath: string,
  method: string,
  path: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('marquee-sim docker', () => {
  it('is listed by --help and refuses an unknown state with exit 2', async () => {
    expect((await run(marqueeSimBin, ['--help'])).stdout).toMatch(/^ {2}docker +/m);
    const bad = await run(marqueeSimBin, ['docker', '--containers', 'plex:sleeping']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown state or health "sleeping"');
  });

  it('serves the containers on the socket, restarts one, prints its env and a summary', async () => {
    const socket = join(dir, 'docker.sock');
    const sim = start(marqueeSimBin, [
      'docker',
      '--socket',
      socket,
      '--containers',
      'plex:healthy,radarr:exited',
    ]);
    running.push(sim);
    const env = await printedEnv(sim, 'MARQUEE_DOCKER_SOCKET');
    expect(env.MARQUEE_DOCKER_SOCKET).toBe(socket);
    const list = await docker(socket, 'GET', '/v1.43/containers/json?all=1');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject([
      { Names: ['/plex'], State: 'running', Status: 'Up 2 hours (healthy)' },
      { Names: ['/radarr'], State: 'exited', Status: 'Exited (1) 5 minutes ago' },
    ]);
    expect((await docker(socket, 'POST', '/containers/plex/restart?t=1')).status).toBe(204);
    expect((await docker(socket, 'GET', '/containers/plex/json')).body).toMatchObject({
      RestartCount: 1,
    });
    expect((await docker(socket, 'GET', '/containers/nginx/json')).status).toBe(404);

    sim.child.kill('SIGINT');
    const result = await sim.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Stopped \(SIGINT\).*requests 4, restarts 1/);
  });
});
