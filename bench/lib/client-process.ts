/**
 * The client side of a fan-out measurement, in a child process so that it shares neither an event
 * loop nor a file-descriptor table with the server it measures: N raw `ws` clients that count the
 * frames they receive. It tells the parent how many broadcasts *every* client has received
 * (`delivered`), which is what paces the publisher. Protocol over the IPC channel (parent → child
 * → parent):
 *
 *   { type: 'reset' }  → { type: 'reset' }        counters to zero (send only while quiet)
 *   { type: 'stats' }  → { type: 'stats', ... }   totals, the smallest count, CPU time
 *   { type: 'close' }  → { type: 'closed' }
 *   (unprompted)         { type: 'connected', ok, failed, firstError }, then { type: 'delivered', count }
 */
import WebSocket from 'ws';

export interface ClientProcessData {
  readonly url: string;
  readonly count: number;
  /** Handshakes in flight at once. */
  readonly concurrency: number;
}

export type ClientRequest = { type: 'reset' } | { type: 'stats' } | { type: 'close' };

export type ClientReply =
  | { type: 'connected'; ok: number; failed: number; firstError: string | undefined }
  | { type: 'delivered'; count: number }
  | { type: 'reset' }
  | {
      type: 'stats';
      open: number;
      frames: number;
      bytes: number;
      minCount: number;
      lastFrameBytes: number;
      cpuMicros: number;
    }
  | { type: 'closed' };

const send = process.send?.bind(process);
if (send === undefined) throw new Error('client-process.ts runs as a child process with IPC');
const { url, count, concurrency } = JSON.parse(process.argv[2] ?? '{}') as ClientProcessData;
const post = (reply: ClientReply) => send(reply);

const sockets: WebSocket[] = [];
const counts = new Uint32Array(count);
/** RING[v % RING]: clients whose count reached v, for v just above `delivered`. */
const RING = 4096;
const reached = new Uint32Array(RING);
let delivered = 0;
let frames = 0;
let bytes = 0;
let lastFrameBytes = 0;
let cpuAtReset = process.cpuUsage();

function onFrame(index: number, size: number): void {
  frames += 1;
  bytes += size;
  lastFrameBytes = size;
  const value = (counts[index] ?? 0) + 1;
  counts[index] = value;
  const slot = value % RING;
  reached[slot] = (reached[slot] ?? 0) + 1;
  let advanced = false;
  while (reached[(delivered + 1) % RING] === sockets.length && sockets.length > 0) {
    delivered += 1;
    reached[delivered % RING] = 0;
    advanced = true;
  }
  if (advanced) post({ type: 'delivered', count: delivered });
}

function connect(index: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('open', () => {
      sockets.push(socket);
      resolve(undefined);
    });
    socket.once('error', (error) => resolve(error.message));
    socket.on('message', (data: Buffer) => onFrame(index, data.length));
  });
}

async function connectAll(): Promise<void> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      const error = await connect(index);
      if (error !== undefined) {
        failed += 1;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  post({ type: 'connected', ok: sockets.length, failed, firstError });
}

process.on('message', (request: ClientRequest) => {
  switch (request.type) {
    case 'reset':
      counts.fill(0);
      reached.fill(0);
      delivered = 0;
      frames = 0;
      bytes = 0;
      cpuAtReset = process.cpuUsage();
      post({ type: 'reset' });
      return;
    case 'stats': {
      let minCount = Infinity;
      for (let i = 0; i < count; i++) minCount = Math.min(minCount, counts[i] ?? 0);
      const cpu = process.cpuUsage(cpuAtReset);
      post({
        type: 'stats',
        open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
        frames,
        bytes,
        minCount: count === 0 ? 0 : minCount,
        lastFrameBytes,
        cpuMicros: cpu.user + cpu.system,
      });
      return;
    }
    case 'close': {
      let open = sockets.length;
      if (open === 0) post({ type: 'closed' });
      for (const socket of sockets) {
        socket.once('close', () => {
          open -= 1;
          if (open === 0) post({ type: 'closed' });
        });
        socket.terminate();
      }
      return;
    }
  }
});

void connectAll();
