/**
 * The server's test helpers: a real Marquee server (`startTestServer`, from `src/testing.ts`, the
 * `@marquee/server/testing` export the simulators and benchmarks use too) with response
 * validation on, and plain HTTP helpers.
 */
import type { ConfigInput } from '../../src/core/config';
import {
  startTestServer as start,
  TEST_ADMIN,
  type TestServer,
  type TestServerOptions,
} from '../../src/testing';

export type { TestServer } from '../../src/testing';

export const ADMIN = TEST_ADMIN;

/** A real server on port 0 with a fresh data directory; every response is schema-checked. */
export function startTestServer(
  overrides: ConfigInput = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  return start(overrides, { validateResponses: true, ...options });
}

/** JSON request helper that returns status and parsed body. */
export async function call(
  url: string,
  init: {
    method?: string;
    token?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.rawBody !== undefined) {
    body = init.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON; keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function login(
  url: string,
  username: string = ADMIN.username,
  password: string = ADMIN.password,
): Promise<string> {
  const res = await call(`${url}/api/v1/auth/token/`, { body: { username, password } });
  if (res.status !== 200)
    throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { access: string }).access;
}

/** A display token with `scopes`, created by the server's admin. */
export async function createDisplayToken(t: TestServer, scopes: string[]): Promise<string> {
  const res = await call(`${t.url}/api/v1/admin/display-tokens/`, {
    token: await t.login(),
    body: { name: `display ${scopes.join(',')}`, scopes },
  });
  if (res.status !== 201) {
    throw new Error(`display token refused: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return (res.body as { token: string }).token;
}
