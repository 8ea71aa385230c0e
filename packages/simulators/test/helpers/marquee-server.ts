/**
 * A real Marquee server for the simulators' tests (`@marquee/server/testing`: port 0 on
 * 127.0.0.1, a fresh data directory, a known admin and a counting system source), plus what the
 * panel tests post as a web player. The simulators' src never imports the server; only tests do,
 * through the workspace devDependency.
 */
import type { ConfigInput } from '@marquee/server';
import { startTestServer, TEST_ADMIN, type TestServer } from '@marquee/server/testing';

export const ADMIN = TEST_ADMIN;

export interface TestMarquee extends TestServer {
  /** Posts a session update as the admin (what a web player sends). */
  playSession(token: string, update: Record<string, unknown>): Promise<void>;
}

export async function startMarquee(overrides: ConfigInput = {}): Promise<TestMarquee> {
  const server = await startTestServer(overrides, { dataDirPrefix: 'marquee-sim-test-' });
  return {
    ...server,
    async playSession(token, update) {
      const res = await fetch(`${server.url}/api/dashboard/session/update`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(update),
      });
      if (res.status !== 200)
        throw new Error(`session update failed: ${res.status} ${await res.text()}`);
    },
  };
}
