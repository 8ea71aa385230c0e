/**
 * The device side of the fleet and storm benchmarks, in a child process (its own core, its own
 * file-descriptor table): N lightweight signage devices, raw `ws` sockets on
 * `/ws/cloud/tb_device/?token=&sn_number=&acks=1` (not the SDK's device client: 10,000 of those
 * are too heavy for one process), which behave as the SDK's device does on the wire: they
 * acknowledge every command (`{"type":"ack","command_id":...,"ok":true}`, a re-delivery too),
 * apply each `command_id` once (ledger.ts counts), send `ready_playlists` on every open, and
 * reconnect after a drop with the SDK socket's full-jitter backoff (`backoffDelay`, its defaults:
 * 500 ms growing to 30 s). The command load is issued from here too, so that POST → receipt is
 * timed on one clock. Sockets spread over several loopback source addresses (127.0.0.x), so
 * repeated runs never run out of ephemeral ports. Protocol over IPC (parent → child → parent):
 *
 *   (unprompted)                       { type: 'connected', ok, failed, firstError }
 *   { type: 'stats' }              →   { type: 'stats', open, ... }
 *   { type: 'storm' }              →   { type: 'storm' }, later { type: 'back', ms, ... } once every
 *                                      device has opened a new socket
 *   { type: 'load', ... }          →   { type: 'load' } (started, with a fresh ledger)
 *   { type: 'load-stop' }          →   { type: 'loaded', posted }
 *   { type: 'audit', broadcasts, waitMs }  →  { type: 'audit', ...Audit }
 *   { type: 'close' }              →   { type: 'closed' }
 */
import { backoffDelay } from '@marquee/sdk';
import WebSocket from 'ws';
import { Ledger, type Audit, type Issue } from './ledger';
import { serialNumber } from './provision';

export interface DeviceProcessData {
  /** `ws://127.0.0.1:<port>` */
  readonly wsBase: string;
  /** The access token every device signs in with (one account owns the fleet). */
  readonly token: string;
  readonly serials: { readonly prefix: string; readonly count: number };
  /** Handshakes in flight at once while the fleet first connects. */
  readonly concurrency: number;
  /** Source addresses, device i uses [i % length]. */
  readonly localAddresses: readonly string[];
}

export interface LoadRequest {
  readonly type: 'load';
  /** `http://127.0.0.1:<port>`: commands go to `POST {url}/api/v1/admin/cloud/devices/{sn}/commands/`. */
  readonly url: string;
  readonly adminToken: string;
  readonly ratePerSecond: number;
  /** Prefix of each command's tag (its overlay text). */
  readonly tag: string;
}

export type DeviceRequest =
  | { type: 'stats' }
  | { type: 'storm' }
  | LoadRequest
  | { type: 'load-stop' }
  | { type: 'audit'; broadcasts: string[]; waitMs: number }
  | { type: 'close' };

export interface StormBack {
  readonly type: 'back';
  /** From the `storm` mark to the last device's new socket. */
  readonly ms: number;
  /** From the mark to the first drop the devices saw. */
  readonly firstDropMs: number;
  /** Connection attempts during the storm, and those that failed. */
  readonly attempts: number;
  readonly failedAttempts: number;
  /** 90 % of the devices were back after this long. */
  readonly p90Ms: number;
  /** Devices back by the end of each second after the mark. */
  readonly curve: readonly number[];
  /** Why the failed attempts failed: error message → count. */
  readonly errors: Readonly<Record<string, number>>;
}

export type DeviceReply =
  | { type: 'connected'; ok: number; failed: number; firstError: string | undefined }
  | {
      type: 'stats';
      open: number;
      opens: number;
      drops: number;
      errorMessages: number;
      firstErrorMessage: string | undefined;
      cpuMicros: number;
      rssBytes: number;
    }
  | { type: 'storm' }
  | StormBack
  | { type: 'load' }
  | { type: 'loaded'; posted: number }
  | ({ type: 'audit' } & Audit)
  | { type: 'closed' };

const send = process.send?.bind(process);
if (send === undefined) throw new Error('device-process.ts runs as a child process with IPC');
const data = JSON.parse(process.argv[2] ?? '{}') as DeviceProcessData;
const post = (reply: DeviceReply) => send(reply);
const count = data.serials.count;
const serial = (i: number) => serialNumber(data.serials.prefix, i);

const sockets: (WebSocket | undefined)[] = new Array<WebSocket | undefined>(count);
const attempts = new Uint16Array(count);
/** What was issued and received since the last `load` started (each load starts afresh). */
let ledger = new Ledger();
let closing = false;
let open = 0;
let opens = 0;
let drops = 0;
let errorMessages = 0;
let firstErrorMessage: string | undefined;

/** The storm in progress: who has come back since the mark. */
let storm:
  | {
      readonly at: number;
      readonly back: Uint8Array;
      readonly backAt: number[];
      pending: number;
      firstDropAt: number | undefined;
      attempts: number;
      failed: number;
      readonly errors: Record<string, number>;
    }
  | undefined;

function deviceUrl(i: number): string {
  const query = new URLSearchParams({ token: data.token, sn_number: serial(i), acks: '1' });
  return `${data.wsBase}/ws/cloud/tb_device/?${query.toString()}`;
}

function onMessage(i: number, socket: WebSocket, raw: Buffer): void {
  const message = JSON.parse(raw.toString('utf8')) as {
    type?: string;
    message?: string;
    command_id?: string;
    text_overlay?: { text?: string };
  };
  if (message.type === 'error') {
    errorMessages += 1;
    firstErrorMessage ??= message.message;
    return;
  }
  const id = message.command_id;
  if (id === undefined) return;
  ledger.receive(i, id, message.text_overlay?.text ?? '', performance.now());
  socket.send(`{"type":"ack","command_id":${JSON.stringify(id)},"ok":true}`);
}

/** Opens device i's socket; resolves with an error message or undefined once it opened. */
function connect(i: number): Promise<string | undefined> {
  if (storm !== undefined) storm.attempts += 1;
  return new Promise((resolve) => {
    const localAddress = data.localAddresses[i % data.localAddresses.length];
    const socket = new WebSocket(deviceUrl(i), {
      perMessageDeflate: false,
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    let opened = false;
    socket.once('open', () => {
      opened = true;
      sockets[i] = socket;
      attempts[i] = 0;
      open += 1;
      opens += 1;
      socket.send('{"type":"ready_playlists","playlist_ids":[]}');
      if (storm !== undefined && storm.back[i] === 0) {
        storm.back[i] = 1;
        storm.backAt.push(performance.now() - storm.at);
        storm.pending -= 1;
        if (storm.pending === 0) finishStorm();
      }
      resolve(undefined);
    });
    socket.on('message', (raw: Buffer) => onMessage(i, socket, raw));
    socket.once('error', (error) => {
      if (opened) return;
      if (storm !== undefined) storm.errors[error.message] = (storm.errors[error.message] ?? 0) + 1;
      resolve(error.message);
    });
    socket.once('close', () => {
      if (opened) {
        open -= 1;
        drops += 1;
        sockets[i] = undefined;
        if (storm !== undefined) storm.firstDropAt ??= performance.now();
      } else if (storm !== undefined) {
        storm.failed += 1;
      }
      if (!closing && (opened || storm !== undefined || initialDone)) scheduleReconnect(i);
    });
  });
}

function scheduleReconnect(i: number): void {
  const attempt = attempts[i] ?? 0;
  attempts[i] = Math.min(attempt + 1, 0xffff);
  setTimeout(() => {
    if (!closing) void connect(i);
  }, backoffDelay(attempt));
}

function finishStorm(): void {
  if (storm === undefined) return;
  const sorted = storm.backAt.sort((a, b) => a - b);
  post({
    type: 'back',
    ms: Math.round(sorted[sorted.length - 1] ?? 0),
    firstDropMs: Math.round((storm.firstDropAt ?? storm.at) - storm.at),
    attempts: storm.attempts,
    failedAttempts: storm.failed,
    p90Ms: Math.round(sorted[Math.ceil(sorted.length * 0.9) - 1] ?? 0),
    errors: storm.errors,
    curve: cumulative(sorted),
  });
  storm = undefined;
}

/** How many of the sorted times (ms) fall at or before the end of each second. */
function cumulative(sortedMs: readonly number[]): number[] {
  const curve: number[] = [];
  let i = 0;
  for (let second = 1; i < sortedMs.length; second++) {
    while (i < sortedMs.length && (sortedMs[i] ?? 0) <= second * 1000) i++;
    curve.push(i);
  }
  return curve;
}

let initialDone = false;

async function connectAll(): Promise<void> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lane = async () => {
    while (next < count) {
      const error = await connect(next++);
      if (error !== undefined) {
        failed += 1;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(data.concurrency, count) }, lane));
  initialDone = true;
  post({ type: 'connected', ok: open, failed, firstError });
}

/** The command load: `ratePerSecond` POSTs on a fixed schedule (open loop), devices scattered. */
function startLoad(request: LoadRequest): () => number {
  const started = performance.now();
  let k = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const issueOne = (n: number) => {
    const device = (n * 7919) % count;
    const tag = `${request.tag}${n}`;
    const issue: Issue = { device, tag, at: performance.now() };
    ledger.issues.push(issue);
    const body = JSON.stringify({
      command: { action: 'show_text_overlay', text_overlay: { text: tag } },
    });
    fetch(`${request.url}/api/v1/admin/cloud/devices/${serial(device)}/commands/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${request.adminToken}`,
      },
      body,
      signal: AbortSignal.timeout(60_000),
    }).then(
      async (res) => {
        await res.arrayBuffer();
        issue.outcome = res.status === 202 ? 'accepted' : 'rejected';
      },
      (error: unknown) => {
        issue.outcome = connectionRefused(error) ? 'refused' : 'ambiguous';
      },
    );
  };
  const tick = () => {
    const due = Math.floor(((performance.now() - started) * request.ratePerSecond) / 1000) + 1;
    while (k < due) issueOne(k++);
    const nextAt = started + (k * 1000) / request.ratePerSecond;
    timer = setTimeout(tick, Math.max(0, nextAt - performance.now()));
  };
  tick();
  return () => {
    clearTimeout(timer);
    return k;
  };
}

function connectionRefused(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code === 'ECONNREFUSED';
}

async function audit(broadcasts: readonly string[], waitMs: number): Promise<Audit> {
  const deadline = performance.now() + waitMs;
  while (!ledger.complete(broadcasts, count) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Re-deliveries still on their way land in the count too.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return ledger.audit(broadcasts, count);
}

let stopLoad: (() => number) | undefined;

process.on('message', (request: DeviceRequest) => {
  switch (request.type) {
    case 'stats': {
      const cpu = process.cpuUsage();
      post({
        type: 'stats',
        open,
        opens,
        drops,
        errorMessages,
        firstErrorMessage,
        cpuMicros: cpu.user + cpu.system,
        rssBytes: process.memoryUsage.rss(),
      });
      return;
    }
    case 'storm':
      storm = {
        at: performance.now(),
        back: new Uint8Array(count),
        backAt: [],
        pending: count,
        firstDropAt: undefined,
        attempts: 0,
        failed: 0,
        errors: {},
      };
      post({ type: 'storm' });
      return;
    case 'load':
      stopLoad?.();
      ledger = new Ledger();
      stopLoad = startLoad(request);
      post({ type: 'load' });
      return;
    case 'load-stop':
      post({ type: 'loaded', posted: stopLoad?.() ?? 0 });
      stopLoad = undefined;
      return;
    case 'audit':
      void audit(request.broadcasts, request.waitMs).then((result) =>
        post({ type: 'audit', ...result }),
      );
      return;
    case 'close': {
      closing = true;
      stopLoad?.();
      let left = 0;
      for (const socket of sockets) {
        if (socket === undefined) continue;
        left += 1;
        socket.once('close', () => {
          left -= 1;
          if (left === 0) post({ type: 'closed' });
        });
        socket.terminate();
      }
      if (left === 0) post({ type: 'closed' });
      return;
    }
  }
});

void connectAll();
