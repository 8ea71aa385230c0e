/**
 * The bus between instances on Redis (`MARQUEE_REDIS_URL`, ioredis). Keys, all under the prefix
 * (`MARQUEE_REDIS_PREFIX`, default `marquee:`):
 *
 * - `node:<id>`: the instance is alive (refreshed every heartbeat, expires after the node TTL);
 *   `nodes`: the ids seen, so each instance finds the others and notices one that went silent.
 * - `inbox:<id>`: a Redis stream per instance, its only way in. Every message is appended to the
 *   inboxes of the instances that should get it, and only those (as Centrifugo's engine sends only
 *   to nodes with subscribers): one instance (`sendTo`: the holder of a device's socket), the
 *   instances interested in a topic (`publishState`, `publish`), or all (`broadcast`). Each
 *   instance reads its inbox from the last entry it handled, so after a lost connection it
 *   replays what it missed while the inbox lasts (as socket.io's Redis Streams adapter does):
 *   entries are kept up to the inbox bound, and the inbox of an instance gone for the replay
 *   window expires.
 * - `interest:<topic>`: the instances with subscribers for a topic; `state:<topic>`: each
 *   instance's share of it (Now Playing: its own sessions), read by one that gains a subscriber.
 * - `reg:<registry>`: which instance holds what (a signage device's socket).
 *
 * Writes go through a bounded queue sent as pipelines: while Redis is away the instance keeps
 * serving its own sockets and queues what it would send (a newer state replaces a queued one; past
 * the bound the oldest is dropped and counted); on return it asserts again what it holds (claims,
 * interests, states) and tells its parts (`onReconnect`). ioredis reconnects with backoff.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type ChainableCommander } from 'ioredis';
import type { BusHandler, BusStats, ClusterBus, Lease } from './types';

export interface RedisBusLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RedisBusOptions {
  readonly url: string;
  /** Prefix of every key (`marquee:`); tests use one of their own. */
  readonly prefix: string;
  /** Operations queued while Redis is away, at most (MARQUEE_REDIS_MAX_QUEUED). */
  readonly maxQueued: number;
  readonly logger: RedisBusLogger;
  /** Entries kept per inbox. @default 10000 */
  readonly inboxMax?: number;
  /** How long an inbox outlives its reader: the replay window. @default 120000 */
  readonly replayWindowMs?: number;
  /** Heartbeat. @default 1000 */
  readonly heartbeatMs?: number;
  /** An instance silent this long is gone. @default 5000 */
  readonly nodeTtlMs?: number;
  /** Longest wait between two reconnection attempts. @default 5000 */
  readonly maxBackoffMs?: number;
  /** Unix ms: how long an outage lasted, in the log. @default Date.now */
  readonly now?: () => number;
}

/** One queued write; `key` lets a newer one replace it (a topic's state). */
type Op = (pipeline: ChainableCommander) => void;

/** Appends to the inboxes of a set's live members (never the sender); forgets dead members. */
const FANOUT = `
local p = ARGV[1]
if ARGV[8] ~= '' then redis.call('HSET', p .. 'state:' .. ARGV[8], ARGV[2], ARGV[4]) end
local n = 0
for _, node in ipairs(redis.call('SMEMBERS', p .. ARGV[7])) do
  if node ~= ARGV[2] then
    if redis.call('EXISTS', p .. 'node:' .. node) == 1 then
      local inbox = p .. 'inbox:' .. node
      redis.call('XADD', inbox, 'MAXLEN', '~', ARGV[5], '*', 'k', ARGV[3], 'f', ARGV[2], 'p', ARGV[4])
      redis.call('PEXPIRE', inbox, ARGV[6])
      n = n + 1
    elseif ARGV[7] ~= 'nodes' then
      redis.call('SREM', p .. ARGV[7], node)
    end
  end
end
return n`;

/** Takes the lease if free, or renews it if this instance holds it: 1 when held after. */
const LEASE = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Gives a lease back if this instance holds it. */
const LEASE_RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

/** Sets a holder; answers the previous one. */
const CLAIM = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return old`;

/** Deletes a holder only if it is still this instance. */
const RELEASE = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`;

/** The live entries of a hash whose values (HOLDERS) or fields (STATES) are node ids. */
const LIVE_ENTRIES = `
local p = ARGV[1]
local out = {}
local alive = {}
local function live(node)
  if alive[node] == nil then alive[node] = redis.call('EXISTS', p .. 'node:' .. node) == 1 end
  return alive[node]
end
if ARGV[2] == 'holders' then
  for i = 3, #ARGV do
    local node = redis.call('HGET', KEYS[1], ARGV[i])
    if node and live(node) then
      out[#out + 1] = ARGV[i]
      out[#out + 1] = node
    end
  end
else
  -- 'held': values are node ids; 'states': fields are.
  local at = ARGV[2] == 'held' and 1 or 0
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    if live(all[i + at]) then
      out[#out + 1] = all[i]
      out[#out + 1] = all[i + 1]
    else
      redis.call('HDEL', KEYS[1], all[i])
    end
  end
end
return out`;

interface Scripts {
  marqueeLease(key: string, node: string, ttlMs: number): Promise<number>;
  marqueeFanout(...args: (string | number)[]): Promise<number>;
  marqueeClaim(key: string, field: string, node: string): Promise<string | null>;
  marqueeRelease(key: string, field: string, node: string): Promise<number>;
  marqueeLive(key: string, ...args: string[]): Promise<string[]>;
}

type ScriptPipeline = ChainableCommander & {
  marqueeFanout(...args: (string | number)[]): ChainableCommander;
  marqueeRelease(key: string, field: string, node: string): ChainableCommander;
  marqueeClaim(key: string, field: string, node: string): ChainableCommander;
  marqueeLeaseRelease(key: string, node: string): ChainableCommander;
};

/** ioredis's reconnect delay: doubling from 100 ms, with jitter, up to `max`. */
export function backoff(attempt: number, max: number): number {
  const base = Math.min(max, 100 * 2 ** Math.min(attempt, 16));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

export class RedisBus implements ClusterBus {
  readonly nodeId = randomUUID();
  readonly clustered = true;
  readonly #p: string;
  readonly #cmd: Redis & Scripts;
  readonly #reader: Redis;
  readonly #logger: RedisBusLogger;
  readonly #maxQueued: number;
  readonly #inboxMax: number;
  readonly #windowMs: number;
  readonly #nodeTtlMs: number;
  readonly #now: () => number;
  readonly #handlers = new Map<string, Set<BusHandler>>();
  readonly #queue = new Map<string, Op>();
  #opSeq = 0;
  #draining = false;
  #stopped = false;
  #ready = false;
  #lostAt: number | undefined;
  /** The last entry handled from this instance's inbox. */
  #lastId = '0-0';
  readonly #interests = new Map<string, number>();
  readonly #states = new Map<string, string>();
  readonly #claims = new Map<string, Set<string>>();
  #live = new Set<string>();
  readonly #downListeners = new Set<(node: string) => void>();
  readonly #upListeners = new Set<(node: string) => void>();
  readonly #reconnectListeners = new Set<() => void>();
  readonly #leases = new Map<string, ClusterLease>();
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #reading: Promise<void>;
  #counts = { sent: 0, received: 0, dropped: 0, outages: 0 };

  constructor(options: RedisBusOptions) {
    this.#p = options.prefix;
    this.#logger = options.logger;
    this.#maxQueued = options.maxQueued;
    this.#inboxMax = options.inboxMax ?? 10_000;
    this.#windowMs = options.replayWindowMs ?? 120_000;
    this.#nodeTtlMs = options.nodeTtlMs ?? 5000;
    this.#now = options.now ?? Date.now;
    const maxBackoff = options.maxBackoffMs ?? 5000;
    const common = {
      // Our own bounded queue holds what waits for Redis; a call made while it is away fails fast.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 5000,
      connectTimeout: 5000,
      lazyConnect: false,
      retryStrategy: (attempt: number) => backoff(attempt, maxBackoff),
    };
    this.#cmd = new Redis(options.url, common) as Redis & Scripts;
    this.#cmd.defineCommand('marqueeFanout', { numberOfKeys: 0, lua: FANOUT });
    this.#cmd.defineCommand('marqueeClaim', { numberOfKeys: 1, lua: CLAIM });
    this.#cmd.defineCommand('marqueeLease', { numberOfKeys: 1, lua: LEASE });
    this.#cmd.defineCommand('marqueeLeaseRelease', { numberOfKeys: 1, lua: LEASE_RELEASE });
    this.#cmd.defineCommand('marqueeRelease', { numberOfKeys: 1, lua: RELEASE });
    this.#cmd.defineCommand('marqueeLive', { numberOfKeys: 1, lua: LIVE_ENTRIES });
    // The reader blocks on its inbox: a connection of its own, without a command timeout.
    this.#reader = new Redis(options.url, { ...common, commandTimeout: undefined });
    this.#cmd.on('ready', () => this.#onReady());
    this.#cmd.on('close', () => this.#onLost());
    // ioredis reports each failed attempt here; the outage itself is logged once by #onLost.
    this.#cmd.on('error', () => undefined);
    this.#reader.on('error', () => undefined);
    this.#heartbeat = setInterval(() => void this.#beat(), options.heartbeatMs ?? 1000);
    this.#heartbeat.unref();
    this.#reading = this.#read();
  }

  #key(name: string): string {
    return `${this.#p}${name}`;
  }

  get #inbox(): string {
    return this.#key(`inbox:${this.nodeId}`);
  }

  on(kind: string, handler: BusHandler): () => void {
    const set = this.#handlers.get(kind) ?? new Set<BusHandler>();
    this.#handlers.set(kind, set);
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  #dispatch(kind: string, payload: unknown, from: string): void {
    for (const handler of this.#handlers.get(kind) ?? []) {
      try {
        handler(payload, from);
      } catch (error) {
        this.#logger.error({ err: error, kind }, 'a bus message handler failed');
      }
    }
  }

  /** Queues a write; `key` replaces a queued write with the same key (keeping its place). */
  #enqueue(op: Op, key = `op:${++this.#opSeq}`): void {
    if (this.#stopped) return;
    if (!this.#queue.has(key) && this.#queue.size >= this.#maxQueued) {
      const oldest = this.#queue.keys().next().value;
      if (oldest !== undefined) this.#queue.delete(oldest);
      this.#counts.dropped++;
    }
    this.#queue.set(key, op);
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#draining || !this.#ready) return;
    this.#draining = true;
    try {
      while (this.#ready && this.#queue.size > 0) {
        const batch = [...this.#queue.entries()].slice(0, 256);
        for (const [key] of batch) this.#queue.delete(key);
        const pipeline = this.#cmd.pipeline();
        for (const [, op] of batch) op(pipeline);
        let failed: boolean;
        try {
          const results = await pipeline.exec();
          // Refused command by command when the connection went away while it was written.
          failed = !this.#ready && (results ?? []).some(([error]) => error !== null);
        } catch {
          failed = true;
        }
        if (failed) {
          // Not sent: back in front, in order, for the next connection. One that did reach
          // Redis goes again: a nudge, state, claim or interest repeated changes nothing; a
          // repeated broadcast (an alert, a revocation) is handled twice.
          const rest = [...this.#queue.entries()];
          this.#queue.clear();
          for (const [key, op] of [...batch, ...rest]) this.#queue.set(key, op);
          return;
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #fanout(pipeline: ChainableCommander, set: string, kind: string, payload: string, topic = '') {
    (pipeline as ScriptPipeline).marqueeFanout(
      this.#p,
      this.nodeId,
      kind,
      payload,
      this.#inboxMax,
      this.#windowMs,
      set,
      topic,
    );
  }

  sendTo(node: string, kind: string, payload: unknown): void {
    if (node === this.nodeId) {
      this.#dispatch(kind, payload, this.nodeId);
      return;
    }
    const text = JSON.stringify(payload);
    this.#counts.sent++;
    this.#enqueue((pipeline) => {
      const inbox = this.#key(`inbox:${node}`);
      pipeline.xadd(
        inbox,
        'MAXLEN',
        '~',
        this.#inboxMax,
        '*',
        'k',
        kind,
        'f',
        this.nodeId,
        'p',
        text,
      );
      pipeline.pexpire(inbox, this.#windowMs);
    });
  }

  broadcast(kind: string, payload: unknown): void {
    const text = JSON.stringify(payload);
    this.#counts.sent++;
    this.#enqueue((pipeline) => this.#fanout(pipeline, 'nodes', kind, text));
  }

  publishState(topic: string, state: unknown): void {
    const text = JSON.stringify(state);
    this.#states.set(topic, text);
    this.#counts.sent++;
    this.#enqueue(
      (pipeline) => this.#fanout(pipeline, `interest:${topic}`, `state:${topic}`, text, topic),
      `state:${topic}`,
    );
  }

  publish(topic: string, kind: string, payload: unknown): void {
    const text = JSON.stringify(payload);
    this.#counts.sent++;
    this.#enqueue((pipeline) => this.#fanout(pipeline, `interest:${topic}`, kind, text));
  }

  interest(topic: string): () => void {
    const count = (this.#interests.get(topic) ?? 0) + 1;
    this.#interests.set(topic, count);
    if (count === 1) {
      this.#enqueue((pipeline) => pipeline.sadd(this.#key(`interest:${topic}`), this.nodeId));
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#interests.get(topic) ?? 1) - 1;
      if (left > 0) {
        this.#interests.set(topic, left);
        return;
      }
      this.#interests.delete(topic);
      this.#enqueue((pipeline) => pipeline.srem(this.#key(`interest:${topic}`), this.nodeId));
    };
  }

  async states(topic: string): Promise<Map<string, unknown>> {
    const flat = await this.#cmd.marqueeLive(this.#key(`state:${topic}`), this.#p, 'states');
    const found = new Map<string, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const node = flat[i] as string;
      if (node !== this.nodeId) found.set(node, JSON.parse(flat[i + 1] as string) as unknown);
    }
    return found;
  }

  async claim(registry: string, key: string): Promise<string | undefined> {
    const held = this.#claims.get(registry) ?? new Set<string>();
    this.#claims.set(registry, held);
    held.add(key);
    const previous = await this.#cmd.marqueeClaim(this.#key(`reg:${registry}`), key, this.nodeId);
    return previous === null || previous === this.nodeId ? undefined : previous;
  }

  release(registry: string, key: string): void {
    this.#claims.get(registry)?.delete(key);
    this.#enqueue((pipeline) => {
      // Claimed again while this waited for Redis (a device back during an outage): keep it.
      if (this.#claims.get(registry)?.has(key) === true) return;
      (pipeline as ScriptPipeline).marqueeRelease(this.#key(`reg:${registry}`), key, this.nodeId);
    });
  }

  async holders(registry: string, keys: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    const flat = await this.#cmd.marqueeLive(
      this.#key(`reg:${registry}`),
      this.#p,
      'holders',
      ...keys,
    );
    for (let i = 0; i + 1 < flat.length; i += 2)
      found.set(flat[i] as string, flat[i + 1] as string);
    return found;
  }

  lease(name: string): Lease {
    let lease = this.#leases.get(name);
    if (lease === undefined) {
      lease = new ClusterLease(this.#logger, () => {
        this.#leases.delete(name);
        // Given back now, so another instance takes it at its next heartbeat.
        this.#enqueue((pipeline) =>
          (pipeline as ScriptPipeline).marqueeLeaseRelease(this.#key(`lease:${name}`), this.nodeId),
        );
      });
      this.#leases.set(name, lease);
      void this.#beat();
    }
    return lease;
  }

  /** Takes or renews every lease; one not renewed within the node TTL is lost. */
  async #renewLeases(): Promise<void> {
    const now = this.#now();
    for (const lease of this.#leases.values()) {
      if (lease.held && now - lease.renewedAt >= this.#nodeTtlMs) lease.set(false, now);
    }
    if (!this.#ready) return;
    await Promise.all(
      [...this.#leases].map(async ([name, lease]) => {
        const started = this.#now();
        const held = await this.#cmd.marqueeLease(
          this.#key(`lease:${name}`),
          this.nodeId,
          this.#nodeTtlMs,
        );
        lease.set(held === 1, started);
      }),
    );
  }

  async held(registry: string): Promise<Map<string, string>> {
    const flat = await this.#cmd.marqueeLive(this.#key(`reg:${registry}`), this.#p, 'held');
    const found = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2)
      found.set(flat[i] as string, flat[i + 1] as string);
    return found;
  }

  onNodeDown(listener: (node: string) => void): () => void {
    this.#downListeners.add(listener);
    return () => {
      this.#downListeners.delete(listener);
    };
  }

  onNodeUp(listener: (node: string) => void): () => void {
    this.#upListeners.add(listener);
    return () => {
      this.#upListeners.delete(listener);
    };
  }

  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => {
      this.#reconnectListeners.delete(listener);
    };
  }

  stats(): BusStats {
    return {
      connected: this.#ready,
      nodes: this.#live.size,
      sent: this.#counts.sent,
      received: this.#counts.received,
      queued: this.#queue.size,
      dropped: this.#counts.dropped,
      outages: this.#counts.outages,
    };
  }

  /** Connected (first time or again): announce this instance and assert what it holds. */
  #onReady(): void {
    if (this.#stopped) return;
    this.#ready = true;
    const pipeline = this.#cmd.pipeline();
    this.#announce(pipeline);
    for (const topic of this.#interests.keys()) {
      pipeline.sadd(this.#key(`interest:${topic}`), this.nodeId);
    }
    for (const [topic, text] of this.#states) {
      this.#queue.delete(`state:${topic}`);
      this.#fanout(pipeline, `interest:${topic}`, `state:${topic}`, text, topic);
    }
    for (const [registry, keys] of this.#claims) {
      for (const key of keys) pipeline.hset(this.#key(`reg:${registry}`), key, this.nodeId);
    }
    const wasLost = this.#lostAt;
    void pipeline
      .exec()
      .then(() => {
        if (wasLost === undefined) {
          this.#logger.info({ node: this.nodeId }, 'Redis bus connected');
          return;
        }
        this.#lostAt = undefined;
        this.#logger.info(
          { node: this.#nodeShort(), outage_ms: this.#now() - wasLost, queued: this.#queue.size },
          'Redis bus is back; delivering across instances again',
        );
        for (const listener of this.#reconnectListeners) {
          try {
            listener();
          } catch (error) {
            this.#logger.error({ err: error }, 'a bus reconnect listener failed');
          }
        }
      })
      .catch(() => undefined)
      .finally(() => {
        void this.#drain();
        void this.#beat();
      });
  }

  #nodeShort(): string {
    return this.nodeId.slice(0, 8);
  }

  #onLost(): void {
    if (!this.#ready || this.#stopped) return;
    this.#ready = false;
    this.#lostAt = this.#now();
    this.#counts.outages++;
    this.#logger.warn(
      { node: this.#nodeShort() },
      'Redis bus lost; this instance serves its own sockets and queues what crosses instances until it is back',
    );
  }

  #announce(pipeline: ChainableCommander): void {
    pipeline.set(this.#key(`node:${this.nodeId}`), '1', 'PX', this.#nodeTtlMs);
    pipeline.sadd(this.#key('nodes'), this.nodeId);
    pipeline.pexpire(this.#inbox, this.#windowMs);
  }

  /** Heartbeat: this instance is alive; notices the others that appeared or went silent. */
  async #beat(): Promise<void> {
    if (this.#stopped) return;
    await this.#renewLeases().catch(() => undefined);
    if (!this.#ready) return;
    try {
      const pipeline = this.#cmd.pipeline();
      this.#announce(pipeline);
      pipeline.smembers(this.#key('nodes'));
      const results = await pipeline.exec();
      const members = (results?.at(-1)?.[1] ?? []) as string[];
      const alive =
        members.length === 0
          ? []
          : await this.#cmd.mget(...members.map((node) => this.#key(`node:${node}`)));
      const live = new Set<string>();
      const dead: string[] = [];
      members.forEach((node, i) => (alive[i] === null ? dead.push(node) : live.add(node)));
      if (dead.length > 0) await this.#cmd.srem(this.#key('nodes'), ...dead);
      const before = this.#live;
      this.#live = live;
      for (const node of before) if (!live.has(node)) this.#emit(this.#downListeners, node);
      for (const node of live) {
        if (!before.has(node) && node !== this.nodeId) this.#emit(this.#upListeners, node);
      }
    } catch {
      // Lost meanwhile: the next heartbeat after the reconnection tries again.
    }
  }

  #emit(listeners: Set<(node: string) => void>, node: string): void {
    for (const listener of listeners) {
      try {
        listener(node);
      } catch (error) {
        this.#logger.error({ err: error, node }, 'a bus membership listener failed');
      }
    }
  }

  /** Reads this instance's inbox from the last entry handled, whenever connected. */
  async #read(): Promise<void> {
    while (!this.#stopped) {
      if (this.#reader.status !== 'ready') {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.#reader.off('ready', done);
            resolve();
          };
          const timer = setTimeout(done, 1000);
          this.#reader.once('ready', done);
        });
        continue;
      }
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = await this.#reader.xread(
          'COUNT',
          512,
          'BLOCK',
          1000,
          'STREAMS',
          this.#inbox,
          this.#lastId,
        );
      } catch {
        if (!this.#stopped) await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          this.#lastId = id;
          this.#handleEntry(fields);
        }
      }
    }
  }

  #handleEntry(fields: readonly string[]): void {
    const entry = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2)
      entry.set(fields[i] as string, fields[i + 1] as string);
    const kind = entry.get('k');
    const from = entry.get('f');
    const text = entry.get('p');
    if (kind === undefined || from === undefined || text === undefined) return;
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      this.#logger.warn({ kind }, 'a malformed bus message was dropped');
      return;
    }
    this.#counts.received++;
    this.#dispatch(kind, payload, from);
  }

  /**
   * Leaves the cluster: sends what is queued (if Redis is there), removes this instance's claims,
   * interests, states and liveness, and disconnects.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    clearInterval(this.#heartbeat);
    if (this.#ready) {
      await this.#drain().catch(() => undefined);
      const pipeline = this.#cmd.pipeline();
      for (const [registry, keys] of this.#claims) {
        for (const key of keys) {
          (pipeline as ScriptPipeline).marqueeRelease(
            this.#key(`reg:${registry}`),
            key,
            this.nodeId,
          );
        }
      }
      for (const topic of this.#interests.keys()) {
        pipeline.srem(this.#key(`interest:${topic}`), this.nodeId);
      }
      for (const name of this.#leases.keys()) {
        (pipeline as ScriptPipeline).marqueeLeaseRelease(this.#key(`lease:${name}`), this.nodeId);
      }
      for (const topic of this.#states.keys())
        pipeline.hdel(this.#key(`state:${topic}`), this.nodeId);
      pipeline.del(this.#key(`node:${this.nodeId}`), this.#inbox);
      pipeline.srem(this.#key('nodes'), this.nodeId);
      await pipeline.exec().catch(() => undefined);
    }
    this.#stopped = true;
    this.#ready = false;
    this.#queue.clear();
    this.#reader.disconnect();
    this.#cmd.disconnect();
    // A read blocked on a connection that Redis never answered again may never settle.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#reading,
      new Promise((resolve) => (timer = setTimeout(resolve, 1500))),
    ]);
    clearTimeout(timer);
  }
}

/** A lease as one instance sees it; the bus takes and renews it every heartbeat. */
class ClusterLease implements Lease {
  #held = false;
  /** Unix ms of the last renewal that succeeded. */
  renewedAt = 0;
  readonly #listeners = new Set<(held: boolean) => void>();
  readonly #logger: RedisBusLogger;
  readonly #release: () => void;
  #released = false;

  constructor(logger: RedisBusLogger, release: () => void) {
    this.#logger = logger;
    this.#release = release;
  }

  get held(): boolean {
    return this.#held;
  }

  set(held: boolean, at: number): void {
    if (this.#released) return;
    if (held) this.renewedAt = at;
    if (held === this.#held) return;
    this.#held = held;
    for (const listener of this.#listeners) {
      try {
        listener(held);
      } catch (error) {
        this.#logger.error({ err: error }, 'a lease listener failed');
      }
    }
  }

  onChange(listener: (held: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  release(): void {
    if (this.#released) return;
    this.set(false, 0);
    this.#released = true;
    this.#release();
  }
}
