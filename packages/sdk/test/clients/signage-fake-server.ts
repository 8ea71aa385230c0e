/**
 * A small fake of seed 002's device API for the device client tests, on real sockets (node:http
 * and `ws` on port 0): login and refresh issuing rotating token pairs, register, the playlists
 * answer, media files with ETag / Range / If-Range, the screenshot upload and the control socket.
 * Everything it sees is logged; fault switches make one request misbehave.
 *
 * Extend it by adding a field to `faults` and reading it in the handler that should misbehave.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DeviceScreens, MediaItem, Playlist } from '../../src/protocol/signage/index';
import { ClientMessage } from '../../src/protocol/signage/index';
import { onCleanup, rawText } from '../transport/helpers';

export const CREDENTIALS = { username: 'tv', password: 'secret' } as const;
export const SN = 'DEVICE-SN-12345';

export interface LoggedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

interface MediaFile {
  body: Buffer;
  etag: string;
}

export interface FakeFaults {
  /** Media path → how many more responses carry a corrupted body (one byte flipped). */
  corrupt: Map<string, number>;
  /**
   * Media path → bytes after which the next response stalls; `releaseHeld()` then cuts it off
   * mid-body (the socket destroyed), as a dropped connection would.
   */
  holdAfter: Map<string, number>;
  /** Media paths served with an empty body. */
  empty: Set<string>;
  /** Media paths answered 404. */
  missing: Set<string>;
  /** Media paths whose Range requests are ignored (a 200 with the whole file). */
  noRanges: Set<string>;
  /** Request paths (without query) answered 401 once, whatever the token. */
  unauthorizedOnce: Set<string>;
  /** Every HTTP request is answered 503 while set. */
  unavailable: boolean;
}

export type FakeSignageServer = Awaited<ReturnType<typeof startFakeSignageServer>>;

export function md5(body: Buffer | string): string {
  return createHash('md5').update(body).digest('hex');
}

/** Deterministic bytes of a given length, different per seed. */
export function bytes(length: number, seed = 1): Buffer {
  const buffer = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buffer[i] = (i * 31 + seed * 17) % 251;
  return buffer;
}

export async function startFakeSignageServer(options: { expiresIn?: number } = {}) {
  const files = new Map<string, MediaFile>();
  const access = new Set<string>();
  const refresh = new Set<string>();
  const requests: LoggedRequest[] = [];
  const registered: unknown[] = [];
  const received: ClientMessage[] = [];
  const socketUrls: string[] = [];
  const sockets: WebSocket[] = [];
  const held: ServerResponse[] = [];
  const faults: FakeFaults = {
    holdAfter: new Map(),
    corrupt: new Map(),
    empty: new Set(),
    missing: new Set(),
    noRanges: new Set(),
    unauthorizedOnce: new Set(),
    unavailable: false,
  };
  let issued = 0;
  let screens: DeviceScreens = emptyScreens();

  const issue = () => {
    const n = ++issued;
    access.add(`access-${n}`);
    refresh.add(`refresh-${n}`);
    return {
      access: `access-${n}`,
      refresh: `refresh-${n}`,
      expires_in: options.expiresIn ?? 3600,
    };
  };
  const authorized = (req: LoggedRequest) =>
    access.has((req.headers.authorization ?? '').replace(/^Bearer /, ''));

  const handle = (req: LoggedRequest, res: ServerResponse): void => {
    const url = new URL(req.url, 'http://fake');
    const path = url.pathname;
    if (faults.unavailable) return json(res, 503, { message: 'Maintenance', status_code: 503 });
    if (faults.unauthorizedOnce.delete(path)) {
      return json(res, 401, { message: 'Token has expired', status_code: 401 });
    }
    if (req.method === 'POST' && path === '/api/v1/auth/token/') {
      const body = parse(req.body);
      if (body.username !== CREDENTIALS.username || body.password !== CREDENTIALS.password) {
        return json(res, 400, { message: 'Invalid username or password', status_code: 400 });
      }
      return json(res, 200, issue());
    }
    if (req.method === 'POST' && path === '/api/v1/auth/token/refresh/') {
      const token = parse(req.body).refresh;
      if (typeof token !== 'string' || !refresh.delete(token)) {
        return json(res, 401, { message: 'Token is invalid or expired', status_code: 401 });
      }
      return json(res, 200, issue());
    }
    if (!authorized(req)) return json(res, 401, { message: 'Token has expired', status_code: 401 });
    if (req.method === 'POST' && path === '/api/v1/admin/cloud/device/register/') {
      registered.push(parse(req.body));
      return json(res, registered.length === 1 ? 201 : 200, { data: { sn_number: SN } });
    }
    if (req.method === 'GET' && path === '/api/v1/admin/cloud/playlists') {
      if (url.searchParams.get('sn_number') !== SN) {
        return json(res, 404, { message: 'Device not found', status_code: 404 });
      }
      return json(res, 200, screens);
    }
    if (req.method === 'POST' && path === '/api/v1/screenshot') {
      return json(res, 200, { message: 'Screenshot uploaded successfully' });
    }
    if (req.method === 'GET' && path.startsWith('/media/')) return serveMedia(req, res, path);
    json(res, 404, { message: 'Not found', status_code: 404 });
  };

  const serveMedia = (req: LoggedRequest, res: ServerResponse, path: string): void => {
    const file = files.get(path);
    if (!file || faults.missing.has(path)) {
      return json(res, 404, { message: 'No such file', status_code: 404 });
    }
    let body = file.body;
    const corrupt = faults.corrupt.get(path) ?? 0;
    if (corrupt > 0) {
      faults.corrupt.set(path, corrupt - 1);
      body = Buffer.from(body);
      body[0] = (body[0] ?? 0) ^ 0xff;
    }
    if (faults.empty.has(path)) body = Buffer.alloc(0);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const headers = { etag: file.etag, 'content-type': 'application/octet-stream' };
    let status = 200;
    let start = 0;
    if (range?.[1] !== undefined && !faults.noRanges.has(path)) {
      if (ifRange === undefined || ifRange === file.etag) {
        start = Number(range[1]);
        if (start >= body.length) {
          res.writeHead(416, { 'content-range': `bytes */${body.length}` });
          res.end();
          return;
        }
        status = 206;
      }
    }
    const part = body.subarray(start);
    res.writeHead(status, {
      ...headers,
      'content-length': String(part.length),
      ...(status === 206
        ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }
        : {}),
    });
    const hold = faults.holdAfter.get(path);
    if (hold !== undefined) {
      faults.holdAfter.delete(path);
      res.write(part.subarray(0, hold));
      held.push(res);
      return;
    }
    res.end(part);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const logged: LoggedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(logged);
      handle(logged, res);
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    // A client may reset a refused upgrade before reading the answer; that is not a test failure.
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '', 'http://fake');
    socketUrls.push(req.url ?? '');
    const token = url.searchParams.get('token') ?? '';
    if (url.pathname !== '/ws/cloud/tb_device/' || !access.has(token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.push(ws);
      ws.on('message', (data: Buffer) => {
        received.push(ClientMessage.parse(JSON.parse(rawText(data))));
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  onCleanup(async () => {
    for (const ws of wss.clients) ws.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    registered,
    received,
    socketUrls,
    sockets,
    faults,
    /** Serves `body` at `/media/{name}` and returns a media item pointing at it. */
    addMedia(mediaId: number, name: string, body: Buffer, extra: Partial<MediaItem> = {}) {
      const path = `/media/${name}`;
      files.set(path, { body, etag: `"${md5(body).slice(0, 12)}"` });
      return mediaItem(mediaId, name, path, body, extra);
    },
    setScreens(next: DeviceScreens) {
      screens = next;
    },
    /** Cuts off the responses stalled by `holdAfter`. */
    releaseHeld() {
      for (const res of held.splice(0)) res.socket?.destroy();
    },
    /** Revokes every access token, as a server restart with new keys would. */
    revokeAccess() {
      access.clear();
    },
    /** Requests to `path` (without query), in order. */
    requestsTo(path: string): LoggedRequest[] {
      return requests.filter((r) => r.url.split('?')[0] === path);
    },
    /** The most recent control socket. */
    lastSocket(): WebSocket {
      const ws = sockets.at(-1);
      if (!ws) throw new Error('no device socket yet');
      return ws;
    },
    send(message: unknown) {
      this.lastSocket().send(JSON.stringify(message));
    },
  };
}

export function mediaItem(
  mediaId: number,
  name: string,
  path: string,
  body: Buffer,
  extra: Partial<MediaItem> = {},
): MediaItem {
  const video = name.endsWith('.mp4');
  return {
    media_id: mediaId,
    order: mediaId,
    media_name: name,
    media_type: video ? 'video' : 'image',
    mimetype: video ? 'video/mp4' : 'image/jpeg',
    media_url: path,
    file_size: body.length,
    checksum: md5(body),
    layout: { x: 0, y: 0, width: 1920, height: 1080, z_index: 1 },
    timing: { start_time: 0, duration: 10, loop: false },
    effects: { fade_in: true, fade_out: true, transition: 'slide' },
    n_time_play: 1,
    ...extra,
  };
}

export function playlist(id: number, items: MediaItem[], name = `Playlist ${id}`): Playlist {
  return {
    id,
    name,
    width: 1920,
    height: 1080,
    duration: items.length * 10,
    media_items: items,
    playback_config: { repeat: true, repeat_count: -1, background_color: '#000000' },
    status: {
      is_ready: false,
      all_downloaded: false,
      missing_files: [],
      last_verified: '2025-01-15T10:30:00Z',
    },
  };
}

/** A device with one front screen holding `playlists`, the first one current. */
export function frontScreen(playlists: Playlist[], current = playlists[0]?.id): DeviceScreens {
  return {
    ...emptyScreens(),
    front_screen: {
      screen_id: 1,
      screen_name: 'Front Display',
      resolution: '1920x1080',
      current_playlist: current ?? null,
      playlists,
    },
  };
}

function emptyScreens(): DeviceScreens {
  return {
    sn_number: SN,
    front_screen: null,
    back_screen: null,
    right_screen: null,
    left_screen: null,
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parse(body: Buffer): Record<string, unknown> {
  try {
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
