/**
 * Property-based fuzzing of every served WebSocket channel, generated from the SDK's channel
 * tables (docs/fuzzing.md). Over a real socket, each case sends one frame: a valid message of
 * the channel's `clientMessages`, a mutated or random one, malformed or truncated JSON, deep
 * nesting, an empty frame, a binary frame, a text frame that is not UTF-8, or one over the
 * payload limit. Then:
 *
 * - a binary frame closes with UNSUPPORTED_DATA (1003), invalid UTF-8 with INVALID_PAYLOAD
 *   (1007), an oversized frame with MESSAGE_TOO_BIG (1009); anything else leaves the socket open;
 * - every message the server sends is one of the channel's `serverMessages`, and a frame that is
 *   not a valid client message is answered with an `error` message (channels that take messages);
 * - the socket still answers (a probe message, or a ping for push-only channels), another client
 *   on the same channel too, the server answers HTTP, and no unhandled rejection happened;
 * - a refused frame stores nothing (every table and file as before, liveness columns aside).
 */
import { protocol } from '@marquee/sdk';
import type { ChannelDef } from '@marquee/sdk/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as z from 'zod';
import { parseClientInput } from '../../src/core/parse-input';
import { call } from '../helpers/server';
import { deviceBody } from '../signage/helpers';
import {
  FUZZ_RUNS,
  FUZZ_SEED,
  TEST_TIMEOUT_MS,
  MAX_WS_PAYLOAD_BYTES,
  SERIAL,
  isLongRun,
  isUp,
  snapshotChanges,
  startFuzzServer,
  watchProcess,
  type FuzzServer,
} from './harness';
import {
  deeplyNested,
  fuzzedValues,
  hostileValues,
  jsonSchemaOf,
  toJsonText,
  validValues,
} from './values';

const RUNS = isLongRun ? FUZZ_RUNS : 60;
const OBSERVER_SERIAL = 'SN-FUZZ-2';
const { CloseCodes } = protocol;
/** How long a socket may take to answer before the case fails (generous: CI machines are loaded). */
const ANSWER_MS = 10_000;

interface Frame {
  readonly kind: string;
  readonly data: string | Buffer;
  readonly binary: boolean;
  /** The close code this frame must earn; undefined when the socket must stay open. */
  readonly closes: number | undefined;
}

function framesFor(channel: ChannelDef): fc.Arbitrary<Frame> {
  const tooBig = (data: string) =>
    Buffer.byteLength(data) > MAX_WS_PAYLOAD_BYTES ? CloseCodes.MESSAGE_TOO_BIG : undefined;
  const text = (kind: string) => (value: unknown) => {
    const data = toJsonText(value);
    return { kind, data, binary: false, closes: tooBig(data) };
  };
  const schema = channel.clientMessages;
  const valid = schema === undefined ? fc.jsonValue({ maxDepth: 2 }) : validValues(schema);
  return fc.oneof(
    { weight: 3, arbitrary: valid.map(text('valid')) },
    { weight: 5, arbitrary: fuzzedValues(schema).map(text('mutated')) },
    { weight: 1, arbitrary: hostileValues.map(text('hostile')) },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.nat()).map(([value, cut]) => {
        const json = toJsonText(value);
        const data = json.slice(0, cut % Math.max(1, json.length));
        return { kind: 'truncated', data, binary: false, closes: tooBig(data) };
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('', ' ', 'null', '{', '}{', '[]', 'not json', '\u0000', '"\\ud800"')
        .map((data) => ({ kind: 'odd text', data, binary: false, closes: undefined })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 100, max: 2000 })
        .map((depth) => text('deep')(deeplyNested(depth, depth % 2 === 0 ? 'array' : 'object'))),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes) => ({
        kind: 'binary',
        data: Buffer.from(bytes),
        binary: true,
        closes: CloseCodes.UNSUPPORTED_DATA,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          [0xff],
          [0xc3, 0x28],
          [0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d],
          [0xf8, 0x88, 0x80, 0x80],
        )
        .map((bytes) => ({
          kind: 'invalid utf-8',
          data: Buffer.from(bytes),
          binary: false,
          closes: CloseCodes.INVALID_PAYLOAD,
        })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 4 * MAX_WS_PAYLOAD_BYTES }).map((extra) => ({
        kind: 'too big',
        data: `"${'x'.repeat(MAX_WS_PAYLOAD_BYTES + extra)}"`,
        binary: false,
        closes: CloseCodes.MESSAGE_TOO_BIG,
      })),
    },
  );
}

/** A client socket that keeps what it received and how it closed. */
class Client {
  readonly messages: unknown[] = [];
  readonly problems: string[] = [];
  closed: { code: number; reason: string } | undefined;
  pongs = 0;
  private waiters: (() => void)[] = [];

  private constructor(
    readonly ws: WebSocket,
    private readonly channel: ChannelDef,
  ) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.problems.push('the server sent a binary frame');
      let json: unknown;
      try {
        json = JSON.parse(data.toString('utf8'));
      } catch {
        this.problems.push(`the server sent non-JSON: ${data.toString('utf8').slice(0, 100)}`);
      }
      if (!z.safeParse(this.channel.serverMessages, json).success) {
        this.problems.push(
          `not one of the channel's server messages: ${JSON.stringify(json).slice(0, 200)}`,
        );
      }
      this.messages.push(json);
      this.wake();
    });
    ws.on('pong', () => {
      this.pongs += 1;
      this.wake();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.wake();
    });
    ws.on('error', () => this.wake());
  }

  static open(url: string, channel: ChannelDef): Promise<Client> {
    const ws = new WebSocket(url);
    const client = new Client(ws, channel);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
      ws.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once `done()` holds (checked on every event), or fails after ANSWER_MS. */
  until(done: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${what} within ${ANSWER_MS} ms`)),
        ANSWER_MS,
      );
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /**
   * Sends a probe the channel always answers and waits for its answer: an `ack` of an unknown
   * command on the device channel (answered NOT_FOUND, naming it), `ping` on the player channel,
   * a WebSocket ping elsewhere. Returns the messages received before the answer.
   */
  async probe(id: number): Promise<unknown[]> {
    const from = this.messages.length;
    const isAnswer = (m: unknown): boolean => {
      const message = m as { type?: string; message?: string };
      if (this.channel.id === 'signage.device')
        return message.type === 'error' && message.message?.includes(`probe-${id}`) === true;
      return message.type === 'pong';
    };
    if (this.channel.clientMessages === undefined) {
      const pongs = this.pongs;
      this.ws.ping();
      await this.until(() => this.pongs > pongs || this.closed !== undefined, 'pong');
      return this.messages.slice(from);
    }
    const probe =
      this.channel.id === 'signage.device'
        ? { type: 'ack', command_id: `probe-${id}`, ok: true }
        : { type: 'ping' };
    this.ws.send(JSON.stringify(probe));
    let answered = -1;
    await this.until(() => {
      answered = this.messages.findIndex((m, i) => i >= from && isAnswer(m));
      return answered >= 0 || this.closed !== undefined;
    }, 'answer to the probe');
    return this.messages.slice(from, answered < 0 ? undefined : answered);
  }

  close(): Promise<void> {
    if (this.closed !== undefined) return Promise.resolve();
    const done = this.until(() => this.closed !== undefined, 'close');
    this.ws.close();
    return done;
  }
}

let f: FuzzServer;
let watcher: ReturnType<typeof watchProcess>;
beforeAll(async () => {
  watcher = watchProcess();
  f = await startFuzzServer();
  const registered = await call(`${f.url}/api/v1/admin/cloud/device/register/`, {
    token: f.token('device', 'signage'),
    body: deviceBody(OBSERVER_SERIAL),
  });
  expect(registered.status).toBe(201);
}, 60_000);
afterAll(async () => {
  watcher.stop();
  await f.close();
});

const channels = protocol.surfaces.flatMap((surface) => protocol.servedPart(surface).channels);

function urlFor(channel: ChannelDef, serial: string): string {
  const query = new URLSearchParams();
  if (channel.id === 'signage.device') {
    query.set('token', f.token('device', 'signage') ?? '');
    query.set('sn_number', serial);
  } else {
    query.set('token', f.token('admin', 'core') ?? '');
  }
  return `${f.wsUrl}${channel.path}?${query.toString()}`;
}

/** The `type` values of the channel's client messages, as its schema declares them. */
function messageTypes(channel: ChannelDef): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const type = (node as { properties?: { type?: { const?: unknown } } }).properties?.type
        ?.const;
      if (typeof type === 'string') found.add(type);
      Object.values(node).forEach(walk);
    }
  };
  if (channel.clientMessages !== undefined) walk(jsonSchemaOf(channel.clientMessages));
  return [...found];
}

/** Whether `frame` is a message the channel takes (parsed as the server parses it). */
function isValidMessage(channel: ChannelDef, frame: Frame): boolean {
  if (channel.clientMessages === undefined || frame.binary) return false;
  let json: unknown;
  try {
    json = JSON.parse(String(frame.data));
  } catch {
    return false;
  }
  return parseClientInput(channel.clientMessages, json).success;
}

describe('fuzzing every served channel', () => {
  it(
    'answers every generated frame per protocol, stays up and keeps serving other clients',
    async () => {
      const started = Date.now();
      const figures = {
        cases: 0,
        channels: new Set<string>(),
        kinds: new Set<string>(),
        failures: [] as string[],
        /** `channel type` of each valid client message sent, and of each one the tables declare. */
        sentTypes: new Set<string>(),
        types: new Set(
          channels.flatMap((channel) =>
            messageTypes(channel).map((type) => `${channel.path} ${type}`),
          ),
        ),
      };
      let probeId = 0;
      for (const [index, channel] of channels.entries()) {
        const observer = await Client.open(urlFor(channel, OBSERVER_SERIAL), channel);
        let target = await Client.open(urlFor(channel, SERIAL), channel);
        let problem: string | undefined;
        const details = await fc.check(
          fc.asyncProperty(framesFor(channel), async (frame) => {
            figures.cases += 1;
            figures.kinds.add(frame.kind);
            if (isValidMessage(channel, frame)) {
              const { type } = JSON.parse(String(frame.data)) as { type?: unknown };
              if (typeof type === 'string') figures.sentTypes.add(`${channel.path} ${type}`);
            }
            if (target.closed !== undefined)
              target = await Client.open(urlFor(channel, SERIAL), channel);
            const before = f.snapshot();
            const from = target.messages.length;
            target.ws.send(frame.data, { binary: frame.binary });
            problem = await judge(channel, frame, target, from, ++probeId);
            const refused = frame.closes !== undefined || !isValidMessage(channel, frame);
            if (problem === undefined && refused) {
              const changes = snapshotChanges(before, f.snapshot());
              if (changes.length > 0) problem = `refused but changed ${changes.join(', ')}`;
            }
            if (problem === undefined) {
              const seen = await observer.probe(++probeId);
              if (observer.closed !== undefined)
                problem = `another client was closed (${observer.closed.code})`;
              else if (seen.length > 0 && observer.problems.length > 0)
                problem = observer.problems.join('; ');
            }
            problem ??= watcher.take();
            if (problem !== undefined)
              problem = `[${frame.kind}] ${String(frame.data).slice(0, 120)}: ${problem}`;
            return problem === undefined;
          }),
          { seed: FUZZ_SEED + index, numRuns: RUNS, endOnFailure: true },
        );
        if (details.failed) {
          figures.failures.push(
            `${channel.path}: ${problem ?? String(details.errorInstance)} (seed ${details.seed}, path ${details.counterexamplePath})`,
          );
        } else {
          figures.channels.add(channel.path);
        }
        await target.close();
        await observer.close();
        if (!(await isUp(f.port))) {
          figures.failures.push(`${channel.path}: the server stopped answering`);
          break;
        }
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `[fuzz] sockets: ${figures.cases} frames, ${figures.channels.size}/${channels.length} served channels passed, ` +
          `client message types ${figures.sentTypes.size}/${figures.types.size} sent valid, ` +
          `frame kinds ${[...figures.kinds].sort().join(', ')}, ${figures.failures.length} failing, seed ${FUZZ_SEED}, ${seconds} s`,
      );
      expect(figures.failures).toEqual([]);
      expect(figures.channels.size).toBe(channels.length);
    },
    TEST_TIMEOUT_MS,
  );
});

/** Why the target's answer to `frame` breaks the protocol (undefined when it keeps it). */
async function judge(
  channel: ChannelDef,
  frame: Frame,
  target: Client,
  from: number,
  id: number,
): Promise<string | undefined> {
  if (frame.closes !== undefined) {
    await target.until(() => target.closed !== undefined, `close ${frame.closes}`);
    const code = target.closed?.code;
    return code === frame.closes ? undefined : `closed with ${code}, not ${frame.closes}`;
  }
  await target.probe(id);
  if (target.closed !== undefined) {
    return `closed with ${target.closed.code} ${target.closed.reason}`;
  }
  if (target.problems.length > 0) return target.problems.join('; ');
  const replies = target.messages.slice(from) as { type?: string; message?: string }[];
  const errors = replies.filter((m) => m.type === 'error' && !m.message?.includes(`probe-${id}`));
  if (
    channel.clientMessages !== undefined &&
    !isValidMessage(channel, frame) &&
    errors.length === 0
  ) {
    return `an invalid message got no error reply (got ${JSON.stringify(replies).slice(0, 200)})`;
  }
  return undefined;
}
