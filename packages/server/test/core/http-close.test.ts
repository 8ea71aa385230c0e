/**
 * `closeHttp`: a request in flight when the server starts closing still gets its answer, and its
 * keep-alive connection (idle only after the answer) does not hold the close forever; a request
 * that never finishes is cut after the grace period.
 */
import { Agent, request } from 'node:http';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHttp } from '../../src/core/http-close';

const agents: Agent[] = [];
afterEach(() => {
  for (const agent of agents.splice(0)) agent.destroy();
});

async function serve(route: () => Promise<unknown>) {
  const app = Fastify({ forceCloseConnections: 'idle' });
  let started: () => void = () => undefined;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  app.get('/work', async () => {
    started();
    return route();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const agent = new Agent({ keepAlive: true });
  agents.push(agent);
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/work', agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  await inFlight;
  return { app, answer };
}

describe('closeHttp', () => {
  it('lets an in-flight request finish and then closes its keep-alive connection', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { app, answer } = await serve(async () => {
      await gate;
      return { done: true };
    });
    let closed = false;
    const closing = closeHttp(app, 60_000).then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toBe(false);
    release();
    expect(await answer).toEqual({ status: 200, body: '{"done":true}' });
    await closing;
    expect(app.server.listening).toBe(false);
  });

  it('cuts a request that does not finish within the grace period', async () => {
    const { app, answer } = await serve(() => new Promise(() => undefined));
    await closeHttp(app, 200);
    await expect(answer).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
