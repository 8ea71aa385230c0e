/**
 * Signage test helpers: a device's registration body, user accounts, admin calls (media upload,
 * playlists, screens, commands) and a raw device socket that records what it receives, all
 * against a real server over HTTP and WebSocket.
 */
import { protocol } from '@marquee/sdk';
import { vi } from 'vitest';
import WebSocket from 'ws';
import { call, login, type TestServer } from '../helpers/server';

const { signage } = protocol;

export const ADMIN_API = '/api/v1/admin/cloud';

export function deviceBody(
  sn: string,
  extra: Record<string, unknown> = {},
): protocol.signage.DeviceModelInput {
  return {
    sn_number: sn,
    brand: 'Samsung',
    model: 'Galaxy TV',
    manufacturer: 'Samsung Electronics',
    os_version: 'Android 11',
    screen_resolution: '1920x1080',
    total_storage: '32GB',
    free_storage: '20GB',
    mac_address: '00:1A:2B:3C:4D:5E',
    app_version: '1.0.0',
    ip_address: '192.168.1.100',
    ...extra,
  };
}

/** A non-admin account and its access token. */
export async function userToken(t: TestServer, username: string): Promise<string> {
  await t.server.auth.createUser({ username, password: 'device-password-1', role: 'device' });
  return login(t.url, username, 'device-password-1');
}

export async function register(t: TestServer, token: string, sn: string): Promise<number> {
  const res = await call(`${t.url}/api/v1/admin/cloud/device/register/`, {
    token,
    body: deviceBody(sn),
  });
  if (res.status !== 200 && res.status !== 201) {
    throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.status;
}

/** A small valid JPEG-looking payload (the server checks magic bytes only). */
export function jpegBytes(size = 2048, seed = 1): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17) % 256;
  bytes[0] = 0xff;
  bytes[1] = 0xd8;
  bytes[2] = 0xff;
  bytes[3] = 0xe0;
  return bytes;
}

export interface MultipartResponse {
  status: number;
  body: unknown;
}

export async function postMultipart(
  url: string,
  token: string | undefined,
  fields: Record<string, string>,
  file?: { field: string; name: string; type: string; bytes: Buffer },
): Promise<MultipartResponse> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  if (file) {
    form.append(file.field, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  }
  const res = await fetch(url, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // keep text
  }
  return { status: res.status, body };
}

export async function uploadMedia(
  t: TestServer,
  token: string,
  name: string,
  bytes: Buffer,
  type: string,
): Promise<protocol.signage.MediaRecord> {
  const res = await postMultipart(
    `${t.url}${ADMIN_API}/media/`,
    token,
    {},
    {
      field: 'file',
      name,
      type,
      bytes,
    },
  );
  if (res.status !== 201)
    throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return signage.MediaRecord.parse(res.body);
}

export async function createPlaylist(
  t: TestServer,
  token: string,
  body: protocol.signage.PlaylistInput,
): Promise<protocol.signage.AdminPlaylist> {
  const res = await call(`${t.url}${ADMIN_API}/playlists/`, { token, body });
  if (res.status !== 201) {
    throw new Error(`create playlist failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return signage.AdminPlaylist.parse(res.body);
}

export async function putScreen(
  t: TestServer,
  token: string,
  sn: string,
  position: protocol.signage.ScreenPosition,
  body: protocol.signage.ScreenInput,
): Promise<protocol.signage.AdminScreen> {
  const res = await call(`${t.url}${ADMIN_API}/devices/${sn}/screens/${position}/`, {
    token,
    method: 'PUT',
    body,
  });
  if (res.status !== 200)
    throw new Error(`put screen failed: ${res.status} ${JSON.stringify(res.body)}`);
  return signage.AdminScreen.parse(res.body);
}

export async function sendCommand(
  t: Pick<TestServer, 'url'>,
  token: string,
  sn: string,
  command: protocol.signage.CommandRequest['command'],
  ttl_seconds?: number,
): Promise<string> {
  const res = await call(`${t.url}${ADMIN_API}/devices/${sn}/commands/`, {
    token,
    body: { command, ...(ttl_seconds === undefined ? {} : { ttl_seconds }) },
  });
  if (res.status !== 202)
    throw new Error(`command failed: ${res.status} ${JSON.stringify(res.body)}`);
  const id = signage.CommandsAccepted.parse(res.body).commands[0]?.command_id;
  if (id === undefined) throw new Error('no command id');
  return id;
}

export async function getCommand(
  t: Pick<TestServer, 'url'>,
  token: string,
  id: string,
): Promise<protocol.signage.CommandRecord> {
  const res = await call(`${t.url}${ADMIN_API}/commands/${id}/`, { token });
  return signage.CommandRecord.parse(res.body);
}

/** A raw device socket recording every server message, parsed with the protocol schema. */
export interface RawDevice {
  readonly ws: WebSocket;
  readonly messages: protocol.signage.ServerMessage[];
  send(message: unknown): void;
  sendRaw(text: string): void;
  /** Resolves with the close code once the socket is closed. */
  readonly closed: Promise<number>;
  actions(): protocol.signage.ServerAction[];
  errors(): protocol.signage.SocketErrorMessage[];
}

/** `acks`: open with `acks=1`, declaring that this device acknowledges and de-duplicates. */
export async function openDevice(
  wsUrl: string,
  token: string,
  sn: string,
  options: { acks?: boolean } = {},
): Promise<RawDevice> {
  const ws = new WebSocket(
    `${wsUrl}/ws/cloud/tb_device/?token=${encodeURIComponent(token)}&sn_number=${encodeURIComponent(sn)}${options.acks === true ? '&acks=1' : ''}`,
  );
  const messages: protocol.signage.ServerMessage[] = [];
  ws.on('message', (data: Buffer) => {
    messages.push(signage.ServerMessage.parse(JSON.parse(data.toString('utf8'))));
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    sendRaw: (text) => ws.send(text),
    actions: () => messages.filter((m): m is protocol.signage.ServerAction => 'action' in m),
    errors: () =>
      messages.filter((m): m is protocol.signage.SocketErrorMessage => !('action' in m)),
  };
}

/** The HTTP status a refused upgrade answered with. */
export function refusedStatus(wsUrl: string, token: string, sn: string): Promise<number> {
  const ws = new WebSocket(
    `${wsUrl}/ws/cloud/tb_device/?token=${encodeURIComponent(token)}&sn_number=${encodeURIComponent(sn)}`,
  );
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('error', () => undefined);
  });
}

/** Waits until the device is seen as online by the server. */
export async function waitOnline(t: TestServer, sn: string): Promise<void> {
  await vi.waitFor(() => {
    if (!t.server.signage.connections.isOnline(sn)) throw new Error(`${sn} not online yet`);
  });
}
