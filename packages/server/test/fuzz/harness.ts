/**
 * The fuzzers' server and oracles: a real Marquee server (a real SQLite file, the fake GPU host and
 * fake Ollama on real sockets) with a caller of every kind, raw HTTP requests that may carry any
 * bytes, a snapshot of everything stored (every table of the SQLite file, read through a second
 * read-only connection, and the data directory's files) and a recorder of unhandled rejections
 * and uncaught exceptions.
 *
 * How much to run: `MARQUEE_FUZZ_RUNS` cases per route and per channel (CI's bounded run uses the
 * small default), from the fixed seed `MARQUEE_FUZZ_SEED`.
 */
import { request as httpRequest } from 'node:http';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { protocol } from '@marquee/sdk';
import type { ErrorShape } from '@marquee/sdk/protocol';
import * as z from 'zod';
import { startGpuServer, type GpuTestServer } from '../helpers/gpu-host';
import { call, login } from '../helpers/server';
import { createPlaylist, deviceBody, jpegBytes, putScreen, uploadMedia } from '../signage/helpers';

export const FUZZ_SEED = Number(process.env.MARQUEE_FUZZ_SEED ?? 20261207);
/** Cases per route (HTTP) and per channel (WebSocket). */
export const FUZZ_RUNS = Number(process.env.MARQUEE_FUZZ_RUNS ?? 0);
export const isLongRun = FUZZ_RUNS > 0;
/** A long run takes as long as it takes; CI's bounded one has minutes to spare. */
export const TEST_TIMEOUT_MS = isLongRun ? 24 * 3600_000 : 300_000;

export const SERIAL = 'SN-FUZZ-1';
/** JSON bodies over this many bytes are refused (413) by the fuzzed server. */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_WS_PAYLOAD_BYTES = 16 * 1024;

export const CALLERS = [
  'anonymous',
  'bad token',
  'display',
  'device',
  'viewer',
  'operator',
  'admin',
] as const;
export type Caller = (typeof CALLERS)[number];

export interface FuzzServer {
  readonly g: GpuTestServer;
  readonly url: string;
  readonly port: number;
  readonly wsUrl: string;
  /** Bearer token of each caller (none for `anonymous`). */
  token(caller: Caller, surface: string): string | undefined;
  /** Ids of the fixture accounts, which the fuzzer must not delete or disable. */
  readonly fixtureUserIds: readonly number[];
  snapshot(): Snapshot;
  close(): Promise<void>;
}

export interface Snapshot {
  /** Table → its rows, as text. */
  readonly tables: ReadonlyMap<string, string>;
  /** Data directory files (SQLite's own files left out) → size. */
  readonly files: ReadonlyMap<string, number>;
}

/** Columns that record liveness rather than data (a device's socket touches it on every frame). */
const LIVENESS_COLUMNS = new Set(['last_seen_at', 'last_used_at']);

export async function startFuzzServer(): Promise<FuzzServer> {
  // The clock stands still, so nothing the server does on a timer (a Now Playing session
  // expiring into the history table) changes the store between two snapshots.
  const frozen = Date.now();
  const g = await startGpuServer(
    {
      rateLimitExemptLoopback: true,
      maxBodyBytes: MAX_BODY_BYTES,
      maxWsPayloadBytes: MAX_WS_PAYLOAD_BYTES,
      maxConnectionsPerIp: 10_000,
    },
    { gpus: 2 },
    { now: () => frozen },
  );
  const { t } = g;
  const tokens = new Map<Caller, string | undefined>();
  const account = async (username: string, role: protocol.core.Role) => {
    const user = await t.server.auth.createUser({
      username,
      password: `${username}-password`,
      role,
    });
    tokens.set(role, await login(t.url, username, `${username}-password`));
    return user;
  };
  const fixtures = [
    await account('fuzz-tv', 'device'),
    await account('fuzz-viewer', 'viewer'),
    await account('fuzz-operator', 'operator'),
  ];
  tokens.set('admin', g.token);
  tokens.set('bad token', 'not-a-token');
  const admin = await t.server.store.users.findByUsername('admin');
  const displayTokens = new Map<string, string>();
  for (const scope of protocol.core.DisplayScope.options) {
    const res = await call(`${t.url}/api/v1/admin/display-tokens/`, {
      token: g.token,
      body: { name: `fuzz ${scope}`, scopes: [scope] },
    });
    displayTokens.set(scope, (res.body as { token: string }).token);
  }
  const registered = await call(`${t.url}/api/v1/admin/cloud/device/register/`, {
    token: tokens.get('device'),
    body: deviceBody(SERIAL),
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
  // Something to find: a media file and a playlist using it (ids 1), shown on the device.
  const media = await uploadMedia(t, g.token, 'fixture.jpg', jpegBytes(1024), 'image/jpeg');
  const playlist = await createPlaylist(t, g.token, {
    name: 'fixture',
    width: 1920,
    height: 1080,
    media_items: [{ media_id: media.media_id }],
  });
  await putScreen(t, g.token, SERIAL, 'front', {
    screen_name: 'front',
    resolution: '1920x1080',
    playlist_ids: [playlist.id],
    current_playlist: playlist.id,
  });
  const dbPath = t.server.config.dataDir;
  const reader = new DatabaseSync(join(dbPath, 'marquee.db'), { readOnly: true });
  const tableNames = (
    reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((row) => row.name);
  const port = Number(new URL(t.url).port);
  return {
    g,
    url: t.url,
    port,
    wsUrl: t.wsUrl,
    fixtureUserIds: [...fixtures.map((user) => user.userId), admin?.id ?? 1],
    token(caller, surface) {
      if (caller === 'display') {
        return displayTokens.get(surface) ?? displayTokens.get('gpu');
      }
      return tokens.get(caller);
    },
    snapshot() {
      const tables = new Map<string, string>();
      for (const name of tableNames) {
        const rows = reader.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
        const kept = rows.map((row) =>
          Object.entries(row).filter(([column]) => !LIVENESS_COLUMNS.has(column)),
        );
        tables.set(
          name,
          JSON.stringify(kept, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
        );
      }
      return { tables, files: listFiles(dbPath) };
    },
    async close() {
      reader.close();
      await g.close();
    },
  };
}

function listFiles(root: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(dir, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        continue;
      }
      if (stat.isDirectory()) walk(path);
      else if (!/^marquee\.db(-wal|-shm|-journal)?$/.test(name) && !name.endsWith('.lock')) {
        out.set(relative(root, path), stat.size);
      }
    }
  };
  walk(root);
  return out;
}

/** What changed between two snapshots (empty when nothing did). */
export function snapshotChanges(before: Snapshot, after: Snapshot): string[] {
  const changes: string[] = [];
  for (const [name, rows] of after.tables) {
    if (before.tables.get(name) !== rows) changes.push(`table ${name}`);
  }
  const files = new Set([...before.files.keys(), ...after.files.keys()]);
  for (const file of files) {
    if (before.files.get(file) !== after.files.get(file)) changes.push(`file ${file}`);
  }
  return changes;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/**
 * Sends a request as it is: the path is not normalised or re-encoded (any byte from 0x21 to 0xFF)
 * and the body is sent byte for byte, whatever the content type says.
 */
export function rawRequest(
  port: number,
  init: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: Buffer | undefined;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: init.method,
        path: init.path,
        headers: {
          ...init.headers,
          ...(init.body !== undefined && { 'content-length': String(init.body.length) }),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Why `body` is not an error in `shape` (undefined when it is). */
export function errorShapeProblem(shape: ErrorShape, res: RawResponse): string | undefined {
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) return `content-type ${type || 'none'}`;
  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    return `not JSON: ${res.body.toString('utf8').slice(0, 120)}`;
  }
  const parsed = z.safeParse(shape.schema, body);
  if (!parsed.success)
    return `not the surface's error shape: ${JSON.stringify(body).slice(0, 200)}`;
  if (shape.read(body) === undefined)
    return `unreadable error: ${JSON.stringify(body).slice(0, 200)}`;
  return undefined;
}

/**
 * Unhandled rejections and uncaught exceptions. `take()` returns those seen since the last call
 * (so one failure is reported once, by the case that caused it, and not by every case after).
 */
export function watchProcess(): { take(): string | undefined; stop(): void } {
  const seen: string[] = [];
  const onRejection = (reason: unknown) => seen.push(`unhandledRejection: ${String(reason)}`);
  const onException = (error: unknown) => seen.push(`uncaughtException: ${String(error)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    take() {
      const all = seen.splice(0);
      return all.length > 0 ? all.join('; ') : undefined;
    },
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/** The server answers at all (`GET /healthz`). */
export async function isUp(port: number): Promise<boolean> {
  try {
    const res = await rawRequest(port, { method: 'GET', path: '/healthz', headers: {} });
    return res.status === 200;
  } catch {
    return false;
  }
}
