/**
 * `@marquee/server/testing`, the one test-server helper the server's tests, the simulators' tests
 * and bench/ share: a temporary data directory removed on close, or a given one kept (so a second
 * server can start on the same data, as the storm benchmark's restart does).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN } from '../../src/testing';

const kept = mkdtempSync(join(tmpdir(), 'marquee-testing-test-'));
afterAll(() => rmSync(kept, { recursive: true, force: true }));

describe('startTestServer', () => {
  it('listens on 127.0.0.1 with the test admin and removes its temporary directory on close', async () => {
    const t = await startTestServer();
    expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(t.wsUrl).toBe(t.url.replace('http', 'ws'));
    expect(t.admin).toEqual(TEST_ADMIN);
    expect(await t.login()).toMatch(/^ey/);
    expect(existsSync(t.dataDir)).toBe(true);
    await t.close();
    expect(existsSync(t.dataDir)).toBe(false);
  });

  it('keeps a given data directory, so a restart finds its data', async () => {
    const admin = { username: 'someone', password: 'another-password-1' };
    const first = await startTestServer({}, { dataDir: kept, admin });
    const token = await first.login();
    await first.close();
    expect(existsSync(kept)).toBe(true);

    // The same data: the JWT secret lives in the store, so the first server's token still works.
    const second = await startTestServer({}, { dataDir: kept, admin });
    const res = await fetch(`${second.url}/api/v1/admin/cloud/devices/`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    await second.close();
  });
});
