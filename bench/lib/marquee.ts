/**
 * A real Marquee server for a benchmark, in this process (`@marquee/server/testing`: 127.0.0.1,
 * port 0, a temporary data directory, a known admin, and a counting fake system source, which is
 * what the upstream paid). Fleet and storm run theirs in a child process instead
 * (server-process.ts), to read its memory alone and to SIGKILL it.
 */
import type { ConfigInput } from '@marquee/server';
import { startTestServer, type TestServer, type TestServerOptions } from '@marquee/server/testing';

/** The bench admin. */
export const BENCH_ADMIN = { username: 'bench', password: 'bench-password-not-secret' } as const;

export interface BenchServer extends TestServer {
  /** POSTs JSON with the token; throws unless 200. */
  post(path: string, token: string, body: unknown): Promise<unknown>;
}

export async function startBenchServer(
  overrides: ConfigInput = {},
  options: TestServerOptions = {},
): Promise<BenchServer> {
  const server = await startTestServer(
    // Every benchmark client comes from 127.0.0.1: the per-address connect rate (a defence
    // against one attacker) would throttle the fleet itself, so it is off here.
    { logLevel: 'warn', wsConnectsPerIpPerSecond: 0, ...overrides },
    { admin: BENCH_ADMIN, dataDirPrefix: 'marquee-bench-', ...options },
  );
  return {
    ...server,
    async post(path, token, body) {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as unknown;
    },
  };
}
